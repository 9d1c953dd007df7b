"""Institution admins and accounts, in the browser (issue 11): an invited admin sets a password once, enrols the
second factor without re-typing it and goes on from the recovery codes to their workspace; sign-in lands each
person where they work; the login page says how to get an invitation; the head finds the statistics-sharing page in
the navigation. Screenshots of the login and sharing pages at 360 and 1280 px go to /work/notes/screens/ when that
folder exists (and to test-artifacts/ always)."""

import pathlib
import re
import shutil
import time

import pytest
from playwright.sync_api import expect

from r2dr.roles import Role
from tests.e2e.conftest import ARTIFACTS, PASSWORD, TOTP_SECRET, shot, staff_user
from tests.factories import InstitutionFactory, MembershipFactory, totp_now

pytestmark = pytest.mark.django_db(transaction=True)

NOTES_SCREENS = pathlib.Path("/work/notes/screens")
NEW_PASSWORD = "a long passphrase for the invitee"


def _shots(page, name):
    """The page at 360 and 1280 px, full length."""
    for width, height in ((360, 780), (1280, 900)):
        page.set_viewport_size({"width": width, "height": height})
        shot(page, f"accounts-{name}-{width}")
        if NOTES_SCREENS.is_dir():
            shutil.copy(ARTIFACTS / f"accounts-{name}-{width}.png", NOTES_SCREENS / f"accounts-{name}-{width}.png")
        # Nothing is wider than the screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name} scrolls sideways at {width}"
    page.set_viewport_size({"width": 1280, "height": 900})


def _fresh_totp_period():
    left = 30 - time.time() % 30
    if left < 5:
        time.sleep(left + 0.5)


def test_an_invited_admin_sets_a_password_once_enrols_and_reaches_the_workspace(page, live_server, settings):
    from r2dr import services

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    institution = InstitutionFactory(slug="e2e-inv", name="Invitation Commission")
    _invitation, token = services.invitation_create(
        email="new.admin@e2e.example", role=Role.INSTITUTION_ADMIN, institution=institution, by=None
    )
    visited = []
    page.on("framenavigated", lambda frame: visited.append(frame.url) if frame == page.main_frame else None)

    page.goto(f"{live_server.url}/invitations/accept/?token={token}")
    page.get_by_role("heading", name="Accept your invitation").wait_for()
    page.get_by_label("Your name").fill("Ari Admin")
    page.get_by_label(re.compile(r"^Password:?$")).fill(NEW_PASSWORD)
    page.get_by_label(re.compile(r"^Password \(again\)")).fill(NEW_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Accept").click()

    # Straight to the second factor: the password just chosen is not asked for again.
    page.get_by_role("heading", name="Activate Authenticator App").wait_for()
    assert not [url for url in visited if "/reauthenticate/" in url], visited
    secret = page.locator("#authenticator_secret").input_value()
    _fresh_totp_period()
    page.locator("input[name=code]").fill(totp_now(secret))
    with page.expect_navigation():
        page.get_by_role("button", name="Activate").click()

    # The recovery codes, then a way on.
    page.get_by_role("heading", name="Recovery Codes").wait_for()
    expect(page.locator("#recovery_codes")).not_to_be_empty()
    _shots(page, "recovery-codes")
    with page.expect_navigation():
        page.get_by_role("link", name="I have saved these codes: continue").click()
    page.get_by_role("heading", name="Invitation Commission").wait_for()
    assert page.url == f"{live_server.url}/{institution.slug}/"
    # An admin's navigation offers the admin's pages, the statistics-sharing page among them.
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Members")).to_be_visible()
    expect(nav.get_by_role("link", name="Sharing with the region")).to_be_visible()


def test_sign_in_lands_where_each_person_works(page, live_server, e2e_login, browser):
    one = InstitutionFactory(slug="e2e-one", name="First Commission")
    two = InstitutionFactory(slug="e2e-two", name="Second Commission")
    officer = staff_user("officer@e2e.example", one, Role.CASE_OFFICER)
    e2e_login(page, live_server, officer.email, PASSWORD, TOTP_SECRET)
    page.get_by_role("heading", name="First Commission").wait_for()
    assert page.url == f"{live_server.url}/{one.slug}/"

    # Someone in two institutions chooses.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    other = context.new_page()
    both = staff_user("both@e2e.example", one, Role.DATA_OFFICER, mfa=False)
    MembershipFactory(user=both, institution=two, role=Role.REVIEWER)
    e2e_login(other, live_server, both.email)
    other.get_by_role("heading", name="Your workspaces").wait_for()
    _shots(other, "workspaces")
    with other.expect_navigation():
        other.get_by_role("link", name=re.compile("Second Commission")).click()
    other.get_by_role("heading", name="Second Commission").wait_for()
    context.close()


def test_the_superuser_finds_the_site_administration(page, live_server, e2e_login):
    root = staff_user("root@e2e.example", None, Role.FACILITATOR)
    root.is_superuser = root.is_staff = True
    root.save()
    e2e_login(page, live_server, root.email, PASSWORD, TOTP_SECRET)
    # A regional role and the administration: a choice of two.
    page.get_by_role("heading", name="Your workspaces").wait_for()
    with page.expect_navigation():
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Site administration").click()
    page.get_by_role("heading", name="Site administration").wait_for()


def test_login_page_says_how_to_get_an_invitation(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("heading", name="New to r2dr?").wait_for()
    expect(page.get_by_text("Accounts are by invitation only")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("sign up", re.I))).to_have_count(0)
    _shots(page, "login")
    page.goto(f"{live_server.url}/accounts/signup/")
    page.get_by_role("heading", name="Sign-up is closed").wait_for()


def test_the_head_shares_every_year_and_the_page_says_so_once(keyed_institution, page, live_server, e2e_login):
    import datetime

    from tests.cases.helpers import CaseFactory

    institution, _officer = keyed_institution
    for year in (2023, 2024, 2024):
        CaseFactory(institution=institution, date=datetime.date(year, 3, 1))
    head = staff_user("head@e2e.example", institution, Role.INSTITUTION_HEAD)
    e2e_login(page, live_server, head.email, PASSWORD, TOTP_SECRET)
    with page.expect_navigation():
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Sharing with the region").click()
    page.get_by_role("heading", name="Sharing case statistics with the region").wait_for()
    expect(page.get_by_text("Nothing: no year is shared.")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Share 2024 with the region").click()
    expect(page.get_by_text("Only the years shared one by one: 2024.")).to_be_visible()
    _shots(page, "sharing-by-year")
    with page.expect_navigation():
        page.get_by_role("button", name="Share every year, years to come included").click()
    table = page.get_by_role("table")
    expect(table.get_by_text("yes (every year)")).to_have_count(table.locator("tbody tr").count())
    expect(table.get_by_role("cell", name="no", exact=True)).to_have_count(0)
    expect(page.get_by_text("After stopping, only the years also shared one by one stay shared: 2024.")).to_be_visible()
    _shots(page, "sharing-every-year")
