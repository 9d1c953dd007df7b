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
    expect(page.get_by_role("list").filter(has_text=re.compile(re.escape(colleague.email)))).to_be_visible()
    shot(page, "cases-grant-after-unlock")
