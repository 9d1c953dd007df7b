"""A data officer fills an area with sources and submits it; the reviewer returns one indicator; it is fixed,
approved, and the institution head publishes the cycle."""

import re

import pytest
from playwright.sync_api import expect

from indicators.models import Cycle, CycleArea, Source
from r2dr.roles import Role
from tests.e2e.conftest import shot
from tests.factories import InstitutionFactory
from tests.indicators.helpers import open_cycle, staff

pytestmark = pytest.mark.django_db(transaction=True)

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # tests.factories.enrol_totp's default
AREA = "4"  # Participation in public affairs: 7 indicators of every value type but categorical


def _verified(user):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    return user


def _article(page, code):
    return page.locator(f'article[id="ind-{code}"]')


def _new_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    return context.new_page()


def test_enter_submit_return_fix_approve_publish(browser, page, live_server, e2e_login):
    institution = InstitutionFactory(slug="e2e-ind", name="E2E Indicators Commission")
    InstitutionFactory(slug="e2e-ind-other", name="Other Commission")
    officer = _verified(staff(institution, Role.DATA_OFFICER, email="officer@e2e-ind.example"))
    reviewer = _verified(staff(institution, Role.REVIEWER, email="reviewer@e2e-ind.example"))
    head = _verified(staff(institution, Role.INSTITUTION_HEAD, email="head@e2e-ind.example"))
    cycle = open_cycle(institution, areas=(AREA,), respondent=officer, reviewer=reviewer, head=head)
    base = f"{live_server.url}/{institution.slug}/indicators"

    # --- the data officer fills the area -------------------------------------------------------------
    e2e_login(page, live_server, officer.email)
    page.goto(f"{base}/my-work/")
    page.get_by_role("link", name="4. Participation in public affairs").click()
    page.get_by_role("heading", name="4. Participation in public affairs").wait_for()

    # Autosave: choose an answer and leave the field; the status line confirms without a page load.
    first = _article(page, "4.1.S1")
    first.get_by_label("Yes").check()
    first.locator("p.save-status").get_by_text(re.compile(r"^Saved \d")).wait_for()
    answers = {
        "4.1.S1": None,
        "4.1.P1": "35",
        "4.1.P2": "Partly",
        "4.1.O1": "Defenders' proposals changed the draft law on associations.",
        "4.2.S1": "No",
        "4.2.P1": "Yes",
        "4.2.O1": "1",
    }
    for code, answer in answers.items():
        article = _article(page, code)
        if answer in ("Yes", "Partly", "No"):
            article.get_by_label(answer, exact=True).check()
        elif answer is not None:
            article.get_by_role("textbox", name=re.compile(r"^Answer")).fill(answer)
        article.get_by_label("Source reference").fill(f"Parliament records for {code}")
        if code == "4.2.O1":
            article.get_by_label("Confidential (never exported or shown regionally)").check()
        article.get_by_role("button", name="Save and add source").click()
        _article(page, code).get_by_text(f"Parliament records for {code}").wait_for()
    # Completeness and the indicator list update in place as answers are saved.
    expect(page.locator("#area-progress")).to_contain_text("7/7")
    expect(page.locator("nav.toc a.todo")).to_have_count(0)
    shot(page, "indicators-area-filled-1280")
    page.set_viewport_size({"width": 360, "height": 800})
    shot(page, "indicators-area-filled-360")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="Submit area for review").click()
    page.get_by_text("submitted for review").first.wait_for()
    area = CycleArea.objects.for_institution(institution).get(cycle=cycle)
    assert area.status == CycleArea.Status.SUBMITTED

    # --- the reviewer returns one indicator ---------------------------------------------------------
    review = _new_page(browser)
    e2e_login(review, live_server, reviewer.email)
    review.goto(f"{base}/my-work/")
    review.get_by_role("link", name="4. Participation in public affairs").click()
    review.get_by_label("Comment on 4.1.S1 (returns it for changes)").fill("The duty covers only some laws: partly?")
    shot(review, "indicators-review-1280")
    review.get_by_role("button", name="Return for changes").click()
    review.get_by_text("returned to the respondents").wait_for()

    # --- the data officer fixes it (keyboard only) and submits again -------------------------------
    page.goto(f"{base}/my-work/")
    page.get_by_role("heading", name="Returned to you").wait_for()
    page.get_by_role("link", name="4. Participation in public affairs").click()
    first = _article(page, "4.1.S1")
    first.get_by_text("The duty covers only some laws: partly?").wait_for()
    first.get_by_label("Partly", exact=True).focus()
    page.keyboard.press("Space")
    first.get_by_label("Narrative").focus()
    page.keyboard.type("Only laws on elections must be consulted on.")
    first.get_by_role("button", name="Save", exact=True).focus()
    page.keyboard.press("Enter")
    _article(page, "4.1.S1").locator("p.save-status").get_by_text(re.compile(r"^Saved \d")).wait_for()
    page.get_by_role("button", name="Submit area for review").click()
    page.get_by_text("submitted for review").first.wait_for()

    # --- the reviewer sees the change and approves ---------------------------------------------------
    review.goto(f"{base}/cycles/{cycle.pk}/areas/{AREA}/review/")
    review.get_by_role("button", name="Approve and lock").click()
    review.get_by_text("approved and locked").wait_for()
    area.refresh_from_db()
    assert area.status == CycleArea.Status.APPROVED

    # --- the head publishes ---------------------------------------------------------------------------
    head_page = _new_page(browser)
    e2e_login(head_page, live_server, head.email, totp_secret=TOTP_SECRET)
    head_page.goto(f"{base}/cycles/{cycle.pk}/")
    head_page.once("dialog", lambda d: d.accept())
    head_page.get_by_role("button", name="Publish cycle").click()
    head_page.get_by_text("The cycle is published").wait_for()
    shot(head_page, "indicators-cycle-published-1280")
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.PUBLISHED
    value = cycle.values.get(indicator__code="4.1.S1")
    assert value.answer == "partly" and "elections" in value.narrative
    assert Source.objects.for_institution(institution).filter(value__cycle=cycle).count() == 7

    # The published results never list the confidential source.
    head_page.goto(f"{base}/cycles/{cycle.pk}/results/")
    assert "Parliament records for 4.1.S1" in head_page.content()
    assert "Parliament records for 4.2.O1" not in head_page.content()
    for context_page in (review, head_page):
        context_page.context.close()


def test_data_entry_works_without_javascript(nojs_page, live_server, e2e_login):
    page = nojs_page
    institution = InstitutionFactory(slug="e2e-nojs", name="No-JS Commission")
    officer = _verified(staff(institution, Role.DATA_OFFICER, email="officer@e2e-nojs.example"))
    cycle = open_cycle(institution, areas=(AREA,), respondent=officer)
    e2e_login(page, live_server, officer.email)
    page.goto(f"{live_server.url}/{institution.slug}/indicators/cycles/{cycle.pk}/areas/{AREA}/")
    article = _article(page, "4.1.P1")
    article.get_by_role("textbox", name=re.compile(r"^Answer")).fill("40")
    article.get_by_label("Narrative").fill("Ministry of Justice register")
    article.get_by_label("Source reference").fill("Register of consultations 2025")
    article.get_by_label("File (optional)").set_input_files(
        files=[{"name": "register.pdf", "mimeType": "application/pdf", "buffer": b"MZ this is no PDF"}]
    )
    article.get_by_role("button", name="Save and add source").click()
    # The server refuses the file but keeps everything typed, and the answer is already stored.
    article = _article(page, "4.1.P1")
    article.get_by_text("does not match its type").wait_for()
    assert article.get_by_label("Source reference").input_value() == "Register of consultations 2025"
    assert article.get_by_label("Narrative").input_value() == "Ministry of Justice register"
    article.get_by_label("Web address").fill("https://example.org/register")
    article.get_by_role("button", name="Save and add source").click()
    _article(page, "4.1.P1").get_by_text("Register of consultations 2025").wait_for()
    value = cycle.values.get(indicator__code="4.1.P1")
    assert value.answer == "40" and value.sources.get().url == "https://example.org/register"
    page.set_viewport_size({"width": 360, "height": 800})
    shot(page, "indicators-nojs-360")


def test_failed_autosave_is_reported_and_nothing_typed_is_lost(page, live_server, e2e_login):
    institution = InstitutionFactory(slug="e2e-offline", name="Offline Commission")
    officer = _verified(staff(institution, Role.DATA_OFFICER, email="officer@e2e-offline.example"))
    cycle = open_cycle(institution, areas=(AREA,), respondent=officer)
    e2e_login(page, live_server, officer.email)
    page.goto(f"{live_server.url}/{institution.slug}/indicators/cycles/{cycle.pk}/areas/{AREA}/")
    page.route("**/indicators/4.1.O1/", lambda route: route.abort())
    article = _article(page, "4.1.O1")
    article.get_by_role("textbox", name=re.compile(r"^Answer")).fill("Typed while the network was down")
    article.get_by_label("Confidence in this answer").select_option("low")
    article.get_by_text("the server could not be reached").wait_for()
    assert (
        article.get_by_role("textbox", name=re.compile(r"^Answer")).input_value() == "Typed while the network was down"
    )
    page.unroute("**/indicators/4.1.O1/")
    article.get_by_role("button", name="Save", exact=True).click()
    _article(page, "4.1.O1").locator("p.save-status").get_by_text(re.compile(r"^Saved \d")).wait_for()
    assert cycle.values.get(indicator__code="4.1.O1").narrative == "Typed while the network was down"
