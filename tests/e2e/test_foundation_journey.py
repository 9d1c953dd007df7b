"""A staff member signs in with password and TOTP and reaches the institution home."""

import pytest

from r2dr.roles import Role
from tests.e2e.conftest import PASSWORD, TOTP_SECRET, shot, staff_user
from tests.factories import InstitutionFactory, totp_now

pytestmark = pytest.mark.django_db(transaction=True)


def test_case_officer_signs_in_with_mfa_and_sees_institution(page, live_server, e2e_login):
    institution = InstitutionFactory(slug="e2e-nhri", name="E2E Human Rights Commission")
    other = InstitutionFactory(slug="e2e-other", name="Other Commission")
    user = staff_user("officer@e2e.example", institution, Role.CASE_OFFICER)

    e2e_login(page, live_server, user.email, totp_secret=TOTP_SECRET)
    # Signing in lands on the officer's one workspace, not the public home page.
    page.get_by_role("heading", name="E2E Human Rights Commission").wait_for()
    assert page.url == f"{live_server.url}/{institution.slug}/", page.url
    shot(page, "foundation-institution-home")
    # The navigation offers only what the role allows.
    assert page.get_by_role("link", name="Members").count() == 0

    # Another institution's workspace is refused.
    response = page.goto(f"{live_server.url}/{other.slug}/")
    assert response.status == 403
    assert "Other Commission" not in page.content()


def test_language_switch_is_a_real_form_post(page, live_server):
    """Referrer-Policy same-origin keeps Django's CSRF origin check working for forms."""
    page.goto(f"{live_server.url}/")
    page.set_viewport_size({"width": 360, "height": 800})
    with page.expect_navigation():
        page.get_by_label("Language").select_option("th")
    assert page.locator("html").get_attribute("lang") == "th"
    shot(page, "foundation-home-360")


def test_mfa_is_required_before_case_officers_reach_anything(page, live_server, e2e_login):
    institution = InstitutionFactory(slug="e2e-mfa", name="MFA Commission")
    user = staff_user("new.officer@e2e.example", institution, Role.CASE_OFFICER, mfa=False)
    e2e_login(page, live_server, user.email)
    page.goto(f"{live_server.url}/{institution.slug}/")
    # allauth asks for the password again before enrolling a second factor.
    assert "totp%2Factivate" in page.url or "/2fa/totp/activate/" in page.url, page.url
    if "/reauthenticate/" in page.url:
        page.locator("input[name=password]").fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name="Activate Authenticator App").wait_for()
    shot(page, "foundation-mfa-required")
    secret = page.locator("#authenticator_secret").input_value()
    page.locator("input[name=code]").fill(totp_now(secret))
    page.get_by_role("button", name="Activate").click()
    page.wait_for_load_state()
    response = page.goto(f"{live_server.url}/{institution.slug}/")
    assert response.status == 200
    page.get_by_role("heading", name="MFA Commission").wait_for()
