"""A defender reports with JavaScript disabled at 360 px, saves the receipt, an officer signs in (MFA), unlocks
and replies through the staff pages, and the defender reads the reply with the receipt."""

import re

import pytest

from tests.e2e.conftest import CASE_PASSPHRASE as PASSPHRASE
from tests.e2e.conftest import PASSWORD, shot
from tests.e2e.conftest import TOTP_SECRET as SECRET

pytestmark = pytest.mark.django_db(transaction=True)


def _continue(page):
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()


def _to_last_step(page, live_server, institution, *, name, narrative):
    """At 360 px, the shortest way through the form to its last step, every consent answered "No"."""
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(f"{live_server.url}/{institution.slug}/report/")
    page.get_by_role("button", name="Start my report").click()
    page.get_by_label("Name(s) or alias(es)").fill(name)
    _continue(page)
    page.get_by_label("Killing").check()
    page.get_by_label("I don't know").check()
    page.get_by_label("Describe what happened").fill(narrative)
    _continue(page)
    _continue(page)
    for consent in ("consent_contact", "consent_un", "consent_protection", "consent_statistics"):
        page.locator(f"input[name={consent}]").first.check()


def test_report_receipt_and_followup_without_javascript(keyed_institution, live_server, nojs_page, e2e_login, browser):
    institution, officer = keyed_institution
    page = nojs_page
    page.set_viewport_size({"width": 360, "height": 780})
    base = live_server.url
    page.goto(f"{base}/{institution.slug}/report/")
    shot(page, "cases-intro-360")
    response = page.request.get(f"{base}/{institution.slug}/report/")
    assert "no-store" in response.headers["cache-control"]
    page.get_by_role("button", name="Start my report").click()
    url_after_start = page.url
    # Step 1: who.
    page.get_by_label("Name(s) or alias(es)").fill("Browser Canary")
    page.get_by_label("Women human rights defenders").check()
    page.get_by_label("Woman", exact=True).check()
    shot(page, "cases-step1-360")
    _continue(page)
    # Step 2: what; first a missing narrative to prove nothing typed is lost.
    page.get_by_label("Judicial harassment or criminalisation").check()
    page.get_by_label("I know the year").check()
    page.locator("#id_incident_year").fill("2025")
    page.get_by_label("Where, more precisely").fill("Kept district")
    _continue(page)
    assert page.get_by_label("Where, more precisely").input_value() == "Kept district"
    page.get_by_label("Describe what happened").fill("Summoned by police for a protest.")
    page.get_by_label("State actor", exact=True).check()
    page.get_by_label("Police", exact=True).check()
    shot(page, "cases-step2-360")
    _continue(page)
    # Step 3: since.
    page.get_by_label("Yes, this is urgent").check()
    _continue(page)
    # Step 4: consent + review.
    for name in ("consent_contact", "consent_un", "consent_protection", "consent_statistics"):
        page.locator(f"input[name={name}]").first.check()  # "No" is always first
    page.locator("input[name=consent_statistics][value=yes]").check()
    assert "Browser Canary" in page.content()  # the review shows earlier answers
    shot(page, "cases-step4-360")
    import io

    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "E2ECAMERA"
    buf = io.BytesIO()
    Image.new("RGB", (16, 16), "blue").save(buf, "JPEG", exif=exif)
    page.set_input_files("#id_files", files=[{"name": "scene.jpg", "mimeType": "image/jpeg", "buffer": buf.getvalue()}])
    page.get_by_role("button", name="Send report").click()
    page.wait_for_load_state()
    assert page.url == url_after_start == f"{base}/{institution.slug}/report/"  # steps never show in the URL
    code = page.locator(".receipt-code").inner_text().strip()
    assert re.fullmatch(r"\d{5}( \d{5}){4}", code)
    assert "1 file was attached" in page.content()
    # The report was marked urgent: the receipt says what happens next and points to urgent help on the page.
    assert page.get_by_role("heading", name="You marked this report urgent").is_visible()
    page.get_by_role("link", name="Urgent help").click()
    assert page.locator("#urgent-help-title").is_visible()
    shot(page, "cases-receipt-360")
    page.get_by_label("I have saved my receipt code").check()
    page.get_by_role("button", name="Continue").click()
    assert "Proof of submission" in page.content()
    shot(page, "cases-done-360")

    # Officer: sign in with MFA (JavaScript on), unlock, read, reply.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    staff = context.new_page()
    e2e_login(staff, live_server, officer.email, PASSWORD, SECRET)
    staff.goto(f"{base}/{institution.slug}/cases/")
    staff.get_by_role("link", name=re.compile(r"^C-")).first.click()
    staff.get_by_label("Case passphrase").fill(PASSPHRASE)
    staff.get_by_role("button", name="Unlock").click()
    staff.wait_for_load_state()
    assert "Browser Canary" in staff.content() and "Kept district" in staff.content()
    assert "scene.jpg" in staff.content()
    image = staff.request.get(base + staff.get_by_role("link", name="view without metadata").get_attribute("href"))
    assert image.status == 200 and b"E2ECAMERA" not in image.body()
    shot(staff, "cases-staff-detail-1280")
    staff.get_by_label("Your message").fill("We have opened your case and will call the district police.")
    staff.get_by_role("button", name="Send reply").click()
    staff.wait_for_load_state()
    context.close()

    # Defender: follow up with the receipt from the home page's link, read the reply, answer. The code alone finds
    # the report: there is no institution to choose (and so none to get wrong).
    page.goto(f"{base}/")
    page.get_by_role("link", name="Follow up on a report with your receipt code").click()
    assert page.locator("select[name=institution]").count() == 0
    page.get_by_label("Your receipt code").fill(code)
    page.get_by_role("button", name="Open my report").click()
    assert "will call the district police" in page.content()
    shot(page, "cases-followup-360")
    page.get_by_label("Your message").fill("Thank you.")
    page.get_by_role("button", name="Send", exact=True).click()
    assert "Your message was sent." in page.content()
    page.set_viewport_size({"width": 1280, "height": 900})
    shot(page, "cases-followup-1280")
    page.get_by_role("button", name="End this follow-up session").click()
    assert "Your report stays with the institution: nothing was withdrawn" in page.content()
    # No horizontal overflow at 360 px on any step (measured in a JavaScript-enabled context).
    context = browser.new_context(viewport={"width": 360, "height": 780})
    probe = context.new_page()
    probe.goto(f"{base}/{institution.slug}/report/")
    widths = [probe.evaluate("document.documentElement.scrollWidth")]
    with probe.expect_navigation():
        probe.get_by_role("button", name="Start my report").click()
    for _ in range(3):
        widths.append(probe.evaluate("document.documentElement.scrollWidth"))
        with probe.expect_navigation():
            probe.get_by_role("button", name="Continue").click()
    widths.append(probe.evaluate("document.documentElement.scrollWidth"))
    shot(probe, "cases-step2-errors-360")
    context.close()
    assert max(widths) <= 360, widths


def test_challenge_keeps_answers_without_javascript(keyed_institution, live_server, nojs_page, settings, monkeypatch):
    """When limits trip, the server-rendered challenge appears on the last step; nothing typed is lost."""
    from cases.models import Case
    from r2dr import challenge

    institution, _officer = keyed_institution
    settings.R2DR_INTAKE_LIMITS = {"institution_submissions_per_hour": 0}
    monkeypatch.setattr(challenge.secrets, "choice", lambda seq: seq[-1])  # digits "99999"
    page = nojs_page
    _to_last_step(page, live_server, institution, name="Challenge Canary", narrative="Kept narrative")
    page.get_by_label("Contact details").fill("kept contact")
    page.get_by_role("button", name="Send report").click()
    assert page.locator(".challenge img").count() == 1
    assert page.get_by_label("Contact details").input_value() == "kept contact"
    assert "Challenge Canary" in page.content() and "Kept narrative" in page.content()
    shot(page, "cases-challenge-360")
    page.get_by_label("Type the five digits in the picture").fill("99999")
    page.get_by_role("button", name="Send report").click()
    assert page.locator(".receipt-code").count() == 1
    assert Case.objects.for_institution(institution).count() == 1


def test_with_javascript_the_browser_solves_the_challenge_by_itself(keyed_institution, live_server, page, settings):
    """A person with JavaScript sees the check done for them and just presses "Send report" again."""
    from cases.models import Case

    institution, _officer = keyed_institution
    settings.R2DR_INTAKE_LIMITS = {"institution_submissions_per_hour": 0}
    _to_last_step(page, live_server, institution, name="Work Canary", narrative="Solved by the browser")
    page.get_by_role("button", name="Send report").click()
    assert page.locator(".challenge img").count() == 1
    # Pressed at once, before the work is done: the page waits for it, then sends, with nothing typed.
    page.get_by_role("button", name="Send report").click()
    page.locator(".receipt-code").wait_for(timeout=30_000)
    assert Case.objects.for_institution(institution).count() == 1


def test_a_send_pressed_before_the_check_could_start_is_sent_once_it_is_done(
    keyed_institution, live_server, page, settings
):
    """On a slow phone the page's script arrives late: pressing "Send report" again before it ran sends the form
    with nothing answered. The defender is not asked to press a third time: the new check sends it when done."""
    from cases.models import Case

    institution, _officer = keyed_institution
    settings.R2DR_INTAKE_LIMITS = {"institution_submissions_per_hour": 0}
    _to_last_step(page, live_server, institution, name="Slow Phone", narrative="Pressed before the script ran")
    late = {"first": True}

    def slow_script(route):
        if late["first"]:  # the first challenge page's script comes too late to catch the second press
            late["first"] = False
            route.abort()
        else:
            route.continue_()

    page.route("**/static/js/challenge.js", slow_script)
    page.get_by_role("button", name="Send report").click()
    assert page.locator(".challenge img").count() == 1
    with page.expect_navigation():
        page.get_by_role("button", name="Send report").click()  # nothing answered, no script yet
    # The page that came back (marked data-send-when-done) sends itself once its check is done: no third press.
    page.locator(".receipt-code").wait_for(timeout=30_000)
    assert Case.objects.for_institution(institution).count() == 1
