"""Staff pages at 360 px: the navigation folds into a menu that works without JavaScript, and the brand link keeps
its accessible name (issue 11, "Pages everywhere")."""

import pytest

from r2dr.roles import Role
from tests.e2e.conftest import TOTP_SECRET, shot, staff_user
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_at_360_px_the_staff_navigation_is_a_menu_that_opens_from_the_keyboard(browser, live_server, e2e_login):
    institution = InstitutionFactory(slug="narrow-nhri", name="Narrow Human Rights Commission")
    user = staff_user("head@narrow.example", institution, Role.INSTITUTION_HEAD)
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    page = context.new_page()
    e2e_login(page, live_server, user.email, totp_secret=TOTP_SECRET)
    page.goto(f"{live_server.url}/{institution.slug}/")
    links = page.locator(".main-nav .nav-wide a").count()
    assert links > 3, "the head's navigation is expected to be long enough to fold"
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= 200, f"the header takes {header['height']} of 740 px"
    # Folded: no link of the navigation is displayed (nor announced) until the menu is opened.
    assert not page.locator(".main-nav a").first.is_visible() and not page.locator(".nav-menu a").first.is_visible()
    shot(page, "narrow-menu-closed-360")
    page.locator(".nav-menu summary").focus()
    page.keyboard.press("Enter")
    menu_links = page.locator(".nav-menu a")
    assert menu_links.count() == links and menu_links.first.is_visible()
    shot(page, "narrow-menu-open-360")
    # The brand link is named although its words are hidden from sight.
    assert page.get_by_role("link", name="Right to Defend Rights").count() == 1
    context.close()


def test_at_1280_px_the_navigation_is_one_row_of_links(page, live_server, e2e_login):
    institution = InstitutionFactory(slug="wide-nhri", name="Wide Human Rights Commission")
    user = staff_user("head@wide.example", institution, Role.INSTITUTION_HEAD)
    e2e_login(page, live_server, user.email, totp_secret=TOTP_SECRET)
    page.goto(f"{live_server.url}/{institution.slug}/")
    assert not page.locator(".nav-menu").is_visible()
    assert page.locator(".main-nav .nav-wide a").first.is_visible()
