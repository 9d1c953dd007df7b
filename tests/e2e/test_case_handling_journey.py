"""An officer triages a submitted case through the inbox to a referral and a draft UN communication."""

import re

import pytest

from tests.e2e.conftest import CASE_PASSPHRASE as PASSPHRASE
from tests.e2e.conftest import PASSWORD, shot
from tests.e2e.conftest import TOTP_SECRET as SECRET

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(keyed_institution):
    from cases.models import ProtectionMechanism
    from tests.cases.helpers import CaseFactory

    institution, officer = keyed_institution
    ProtectionMechanism.objects.create(name="Defenders Shelter Fund", description="Relocation and respite")
    case = CaseFactory(
        institution=institution,
        urgent=True,
        violation_codes=("judicial-harassment",),
        names="Journey Canary",
        narrative="Arrested after a land rights meeting.",
        un_named=True,
        consents__protection="yes",
        consent_wording__protection="w",
    )
    return institution, officer, case


def _in(page, action_suffix):
    return page.locator(f"form[action$='{action_suffix}']")


def _step(page, to, reason, **selects):
    form = _in(page, "/transition/")
    form.locator("[name=to_status]").select_option(to)
    form.locator("[name=reason]").fill(reason)
    for name, value in selects.items():
        form.locator(f"[name={name}]").select_option(value)
    form.get_by_role("button", name="Record this step").click()
    page.wait_for_load_state()


def test_officer_triages_to_referral_and_un_draft(world, live_server, page, e2e_login):
    institution, officer, case = world
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})
    e2e_login(page, live_server, officer.email, PASSWORD, SECRET)
    page.goto(f"{base}/{institution.slug}/cases/")
    assert "left" in page.locator(".timer").first.inner_text()  # the 48-hour response target
    shot(page, "cases-inbox-1280")
    # Bulk-assign to myself.
    page.locator("input[name=cases]").first.check()
    page.locator("#id_assign_officer").select_option(label=officer.email)
    page.get_by_role("button", name="Assign", exact=True).click()
    page.wait_for_load_state()
    assert "1 case(s) assigned" in page.content()
    page.get_by_role("link", name=re.compile(r"^C-")).first.click()
    page.get_by_label("Case passphrase").fill(PASSPHRASE)
    page.get_by_role("button", name="Unlock").click()
    page.wait_for_load_state()
    assert "Journey Canary" in page.content()
    _step(page, "assessment", "Complaint about police, within our mandate.")
    _step(page, "verification", "Admissible.", respondent_type="state", within_time_limit="yes", sub_judice="no")
    sources = _in(page, "/sources/")
    sources.locator("[name=kind]").select_option("witness")
    sources.locator("[name=reliability]").select_option("reliable")
    sources.locator("[name=description]").fill("A neighbour saw the arrest.")
    sources.get_by_role("button", name="Add source").click()
    page.wait_for_load_state()
    _step(page, "action", "Reasonable grounds: witness and court summons.", reasonable_grounds="yes")
    assert "Action taken" in page.content() and "Verified" in page.content()
    # Referral to a protection organisation from the directory.
    page.get_by_text("Record an intervention or referral").click()
    referral = _in(page, "/interventions/")
    referral.locator("[name=kind]").select_option("referral")
    referral.locator("[name=status]").select_option("sent")
    referral.locator("[name=mechanism]").select_option(label="Defenders Shelter Fund")
    referral.locator("[name=details]").fill("Urgent relocation requested.")
    referral.get_by_role("button", name="Add").click()
    page.wait_for_load_state()
    assert "Intervention saved" in page.content() and "Defenders Shelter Fund" in page.content()
    shot(page, "cases-handling-detail-1280")
    page.set_viewport_size({"width": 360, "height": 780})
    shot(page, "cases-handling-detail-360")
    page.set_viewport_size({"width": 1280, "height": 900})
    # Draft UN communication, text and PDF.
    page.get_by_role("link", name="Draft a communication to UN Special Procedures").click()
    page.wait_for_load_state()
    content = page.content()
    assert "1. Alleged victim" in content and "Journey Canary" in content and "Defenders Shelter Fund" not in content
    assert "Referral to a protection organisation" in content
    shot(page, "cases-un-draft-1280")
    pdf = page.request.get(page.url + "?format=pdf")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    # The inbox at 360 px.
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(f"{base}/{institution.slug}/cases/?assigned=me")
    assert case.reference in page.content()
    shot(page, "cases-inbox-360")
