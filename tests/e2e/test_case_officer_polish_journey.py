"""Case officers' rough edges, as a person meets them: granting access while the keys are locked, and completing
a UN Special Procedures draft for a case shared without names."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import CASE_PASSPHRASE as PASSPHRASE
from tests.e2e.conftest import PASSWORD, shot, staff_user
from tests.e2e.conftest import TOTP_SECRET as SECRET

pytestmark = pytest.mark.django_db(transaction=True)


def test_grant_access_while_locked_returns_to_the_keys_page(keyed_institution, live_server, page, e2e_login):
    from cases import services
    from r2dr.roles import Role

    institution, officer = keyed_institution
    colleague = staff_user("colleague@e2e.example", institution, Role.CASE_OFFICER)
    services.officer_key_create(institution=institution, user=colleague, passphrase="colleague's own passphrase")
    base = f"{live_server.url}/{institution.slug}"
    e2e_login(page, live_server, officer.email, PASSWORD, SECRET)

    page.goto(f"{base}/cases/keys/")
    expect(page.get_by_text("Case keys locked")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Grant access").click()
    expect(page.get_by_role("heading", name="Unlock case keys")).to_be_visible()
    expect(page.get_by_text("so this was not done")).to_be_visible()
    page.get_by_label("Case passphrase").fill(PASSPHRASE)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Unlock").click()
    assert navigation.value.status == 200  # the keys page, never "405 Method Not Allowed"
    expect(page.get_by_role("heading", name="Case keys and access")).to_be_visible()
    expect(page.get_by_text("Case keys unlocked for 15 minutes")).to_be_visible()

    with page.expect_navigation():
        page.get_by_role("button", name="Grant access").click()
    expect(page.get_by_text(f"Access granted to {colleague.email}.")).to_be_visible()
    expect(page.get_by_role("list", name="Officers with access")).to_contain_text(colleague.email)
    shot(page, "cases-grant-after-unlock")


def test_un_draft_without_names_is_completed_and_downloaded(keyed_institution, live_server, page, e2e_login):
    import io

    from pypdf import PdfReader

    from cases import plaintext, services
    from cases.models import Status
    from tests.cases.helpers import CaseFactory, walk_to

    institution, officer = keyed_institution
    case = CaseFactory(
        institution=institution,
        names="Maria Ximenes",
        narrative="Maria Ximenes was summoned by the Dili police after a land meeting in Aileu.",
        consents={"statistics": "yes", "un": "yes_anonymised"},
        consent_wording={"statistics": "w", "un": "w"},
    )
    _kr, private = services.keyring_unlock(institution=institution, user=officer, passphrase=PASSPHRASE)
    case = walk_to(case, plaintext.case_key_for_officer(case, private), officer, Status.ACTION)
    base = f"{live_server.url}/{institution.slug}"
    e2e_login(page, live_server, officer.email, PASSWORD, SECRET)
    page.goto(f"{base}/cases/{case.pk}/")
    page.get_by_label("Case passphrase").fill(PASSPHRASE)
    with page.expect_navigation():
        page.get_by_role("button", name="Unlock").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Draft a communication to UN Special Procedures").click()

    incident = page.get_by_label("4. The incident in detail")
    activity = page.get_by_label("3. Human rights activity and the violation")
    expect(incident).to_have_value(re.compile(r"Place: Testland\.\n\n\[withheld: "))  # the country in words, not "TL"
    expect(page.get_by_text("Replace the “[withheld: …]” line with your anonymised account.").first).to_be_visible()
    shot(page, "casepolish-un-draft-before-1280")

    # Not ready yet: the PDF button keeps the officer on the page and says why.
    with page.expect_navigation():
        page.get_by_role("button", name="Save and download PDF").click()
    expect(page.get_by_text("not ready to send")).to_be_visible()

    withheld = "[withheld: the consent is without names; write an anonymised account]"
    activity.fill(activity.input_value().replace(withheld, "Organising farmers against evictions."))
    incident.fill(
        incident.input_value().replace(
            withheld, "A woman land rights organiser was summoned for questioning after a community meeting."
        )
    )
    page.get_by_label("5. Action taken").fill("Letter to the district police commander, 12 March 2026.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    expect(page.get_by_text("Replace the “[withheld: …]” line")).to_have_count(0)
    expect(page.get_by_label("4. The incident in detail")).to_have_value(re.compile("summoned for questioning"))
    shot(page, "casepolish-un-draft-1280")
    page.set_viewport_size({"width": 360, "height": 780})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "casepolish-un-draft-360")
    page.set_viewport_size({"width": 1280, "height": 900})

    with page.expect_download() as download:
        page.get_by_role("button", name="Save and download PDF").click()
    pdf = PdfReader(io.BytesIO(open(download.value.path(), "rb").read()))
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert "summoned for questioning" in text and "district police commander" in text and "Testland" in text
    assert "Maria" not in text and "Ximenes" not in text and "Aileu" not in text and "withheld" not in text

    page.goto(f"{base}/cases/access-log/")
    expect(
        page.get_by_role("cell", name="Saved the draft communication to UN Special Procedures").first
    ).to_be_visible()
    expect(page.get_by_text("cases.", exact=False)).to_have_count(0)
    shot(page, "casepolish-access-log-1280")
    page.set_viewport_size({"width": 360, "height": 780})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "casepolish-access-log-360")


def test_head_opens_the_escalation_e_mail_link_without_a_key(keyed_institution, live_server, page, e2e_login, settings):
    from urllib.parse import urlsplit

    from django.core import mail

    from cases import services
    from r2dr.roles import Role
    from tests.cases.helpers import CaseFactory

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    institution, officer = keyed_institution
    head = staff_user("head@e2e.example", institution, Role.INSTITUTION_HEAD)
    case = CaseFactory(institution=institution, names="Maria Ximenes", narrative="Taken from her home in Aileu.")
    services.case_triage(case=case, by=officer, urgency="urgent")  # escalates: the head is e-mailed
    [message] = [m for m in mail.outbox if head.email in m.to]
    link = next(word for word in message.body.split() if word.startswith("http"))
    e2e_login(page, live_server, head.email, PASSWORD, SECRET)
    response = page.goto(live_server.url + urlsplit(link).path)
    assert response.status == 200  # not the 403 the head used to get
    expect(page.get_by_role("heading", name=f"Case {case.reference} escalated")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="it was marked urgent")).to_be_visible()
    expect(page.get_by_text("You cannot read this case")).to_be_visible()
    assert "Maria" not in page.content() and "Aileu" not in page.content()
    shot(page, "casepolish-escalation-head-1280")
    page.set_viewport_size({"width": 360, "height": 780})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "casepolish-escalation-head-360")

    # Once granted a key, the head reads the escalated case, read only.
    head_key = services.officer_key_create(institution=institution, user=head, passphrase="the head's passphrase")
    _kr, private = services.keyring_unlock(institution=institution, user=officer, passphrase=PASSPHRASE)
    services.key_grant_create(institution=institution, by=officer, institution_private=private, officer_key=head_key)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    with page.expect_navigation():
        page.get_by_role("link", name="Unlock your case key and read the case").click()
    page.get_by_label("Case passphrase").fill("the head's passphrase")
    with page.expect_navigation():
        page.get_by_role("button", name="Unlock").click()
    expect(page.get_by_role("heading", name=f"Case {case.reference}")).to_be_visible()
    expect(page.get_by_text("Taken from her home in Aileu.")).to_be_visible()
    expect(page.get_by_text("read only", exact=False).first).to_be_visible()
    expect(page.get_by_role("button", name="Send reply")).to_have_count(0)
    expect(page.get_by_role("button", name="Record this step")).to_have_count(0)
    shot(page, "casepolish-escalated-case-head-1280")
