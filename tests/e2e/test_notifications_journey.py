"""A case officer, in a browser without JavaScript, sees the count of new reports in the header, opens the list,
opens a report from it (through the unlock step) and the count is gone; then chooses the daily digest."""

import re

import pytest

from tests.e2e.conftest import CASE_PASSPHRASE, PASSWORD, TOTP_SECRET, shot

pytestmark = pytest.mark.django_db(transaction=True)


def test_officer_follows_the_header_count_to_a_new_report(keyed_institution, live_server, nojs_page, e2e_login):
    from tests.cases.helpers import CaseFactory

    institution, officer = keyed_institution
    first = CaseFactory(institution=institution, names="Journey Canary", narrative="Taken from a meeting.")
    CaseFactory(institution=institution)
    page = nojs_page
    base = live_server.url
    e2e_login(page, live_server, officer.email, PASSWORD, TOTP_SECRET)
    page.goto(f"{base}/{institution.slug}/cases/")
    header_link = page.get_by_role("link", name="Notifications 2 unread", exact=True)
    assert header_link.is_visible()
    shot(page, "notifications-header-1280")
    page.set_viewport_size({"width": 360, "height": 780})
    shot(page, "notifications-header-360")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.set_viewport_size({"width": 1280, "height": 900})
    header_link.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Notifications").is_visible()
    listing = page.content()
    assert first.reference in listing and "Journey Canary" not in listing and "New report" in listing
    shot(page, "notifications-list-1280")
    page.set_viewport_size({"width": 360, "height": 780})
    shot(page, "notifications-list-360")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.set_viewport_size({"width": 1280, "height": 900})
    # Open the first report from the list: the key is locked, so the unlock step comes first, then the case.
    page.get_by_role("button", name=re.compile(rf"^Open New report {first.reference}")).click()
    page.wait_for_load_state()
    page.get_by_label("Case passphrase").fill(CASE_PASSPHRASE)
    page.get_by_role("button", name="Unlock").click()
    page.wait_for_load_state()
    assert f"/cases/{first.pk}/" in page.url and "Journey Canary" in page.content()
    assert page.get_by_role("link", name="Notifications 1 unread", exact=True).is_visible()
    # The other one marked read from the list: the count is gone.
    page.goto(f"{base}/{institution.slug}/notifications/")
    page.get_by_role("button", name="Mark all as read").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Notifications", exact=True).is_visible()
    # E-mail choices: the daily digest.
    page.get_by_role("link", name="E-mail choices").click()
    page.wait_for_load_state()
    page.get_by_role("group", name="When a new report arrives").get_by_label(re.compile("One e-mail a day")).check()
    shot(page, "notifications-preferences-1280")
    page.set_viewport_size({"width": 360, "height": 780})
    shot(page, "notifications-preferences-360")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Save my choices").click()
    page.wait_for_load_state()
    assert "Your notification choices were saved." in page.content()
    assert (
        page.get_by_role("group", name="When a new report arrives")
        .get_by_label(re.compile("One e-mail a day"))
        .is_checked()
    )
