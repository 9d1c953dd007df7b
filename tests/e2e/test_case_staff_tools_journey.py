"""An officer records a case learned from the media on a phone-sized screen, the platform recognises the same
defender attacked again, the officer saves an inbox view and merges a duplicate report into the main case."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import CASE_PASSPHRASE as PASSPHRASE
from tests.e2e.conftest import PASSWORD, shot
from tests.e2e.conftest import TOTP_SECRET as SECRET

pytestmark = pytest.mark.django_db(transaction=True)


def test_record_detect_repeat_save_view_and_merge(keyed_institution, live_server, page, e2e_login):
    import datetime

    from cases.models import Case, Outcome
    from tests.cases.helpers import CaseFactory

    institution, officer = keyed_institution
    earlier = CaseFactory(
        institution=institution,
        names="Maria Ximenes",
        date=datetime.date(2024, 2, 1),
        narrative="Threatened at a land meeting.",
    )
    duplicate = CaseFactory(
        institution=institution,
        names="Maria Ximenes",
        date=datetime.date(2024, 2, 3),
        narrative="Second report of the same threat.",
    )
    unrelated = CaseFactory(
        institution=institution,
        names="Joana Soares",
        date=datetime.date(2025, 1, 9),
        narrative="Another defender, another story.",
    )
    base = f"{live_server.url}/{institution.slug}"
    e2e_login(page, live_server, officer.email, PASSWORD, SECRET)
    page.goto(f"{base}/cases/unlock/")
    page.get_by_label("Case passphrase").fill(PASSPHRASE)
    with page.expect_navigation():
        page.get_by_role("button", name="Unlock").click()

    # --- record a media case at 360 px -----------------------------------------------------------------
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(f"{base}/cases/")
    with page.expect_navigation():
        page.get_by_role("link", name="Record a case the institution learned of").click()
    page.get_by_label("How did the institution learn of this case?").select_option("media")
    page.get_by_label(re.compile(r"^Source:?$")).select_option("media")
    page.get_by_label("Reliability of the source").select_option("usually")
    page.get_by_label(re.compile(r"^The source: who or what")).fill("Timor Post, 2 May 2025, page 3")
    page.get_by_label("Urgency").select_option("high")
    page.get_by_label("Name(s) or alias(es)").fill("Maria Ximenes")
    page.get_by_label("Journalists and media workers").check()
    page.get_by_label("Woman").check()
    page.get_by_label("Judicial harassment or criminalisation").check()
    page.get_by_label("Describe what happened").fill("Summoned by police over an article on evictions.")
    page.get_by_label(re.compile(r"^Date:?$")).fill("2025-05-02")
    page.get_by_label("Country where it happened").select_option("TL")
    page.locator("[name='consent-consent_contact'][value=no]").check()
    page.locator("[name='consent-consent_un'][value=no]").check()
    page.locator("[name='consent-consent_protection'][value=no]").check()
    page.locator("[name='consent-consent_statistics'][value=yes]").check()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "cases-record-360")
    with page.expect_navigation():
        page.get_by_role("button", name="Record the case").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Case C-\w+ recorded"))).to_be_visible()
    assert page.locator(".receipt-code").inner_text().strip()
    assert "repeat attack" in page.content()  # the same defender, fifteen months later
    shot(page, "cases-recorded-360")
    recorded = Case.objects.for_institution(institution).get(origin="media")
    assert recorded.repeat_attack and recorded.escalated_at is not None

    # --- save an inbox view ----------------------------------------------------------------------------
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/cases/?repeat_attack=on")
    page.get_by_label("Name of this view").fill("Repeat attacks")
    page.get_by_label("Share with every case officer of the institution").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save this view").click()
    expect(page.get_by_text("View “Repeat attacks” saved.")).to_be_visible()
    page.goto(f"{base}/cases/")
    with page.expect_navigation():
        page.get_by_role("link", name="Repeat attacks").click()
    listed = page.content()
    assert all(c.reference in listed for c in (recorded, earlier, duplicate)) and unrelated.reference not in listed
    shot(page, "cases-inbox-saved-view-1280")

    # --- merge the duplicate report into the earlier case ----------------------------------------------
    page.goto(f"{base}/cases/{duplicate.pk}/")
    page.get_by_label("Merge this case into case (reference)").fill(earlier.reference)
    with page.expect_navigation():
        page.get_by_role("button", name="Merge into that case").click()
    expect(page.get_by_text(re.compile(r"was merged into"))).to_be_visible()
    assert "Second report of the same threat." in page.content()  # now a source of the main case
    # Linked cases (the merged one, the repeat attack) are listed once as links, no longer as suggestions.
    expect(page.locator("ul.duplicates")).to_have_count(0)
    shot(page, "cases-merged-1280")
    duplicate.refresh_from_db()
    assert duplicate.outcome == Outcome.MERGED and duplicate.duplicate_of_id == earlier.pk
