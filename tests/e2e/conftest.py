"""Browser tests: Playwright driving Debian's headless Chromium against a live server.

Fixtures:
- `browser`: one Chromium per session (executable /usr/bin/chromium or $R2DR_CHROMIUM).
- `page`: a fresh context + page (JavaScript on), 1280 px wide; `nojs_page`: JavaScript off.
- `e2e_login(page, live_server, email, password, totp_secret)`: signs in through the real
  allauth forms, including the TOTP step.
Screenshots go to test-artifacts/ (`shot(page, name)`).
- `live_server`: pytest-django's, its application wrapped to record every distinct HTML page it serves
  (tests/e2e/pages.py) for the page checks, which run after every journey (test_page_checks.py).
"""

import os
import pathlib
import shutil
import time

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = pathlib.Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = os.environ.get("R2DR_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "correct horse battery staple"


PAGE_CHECKS = "test_page_checks.py"


@pytest.hookimpl(trylast=True)  # after pytest-django's reordering by database use
def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
    # The page checks scan what the journeys were served: they run last, whatever order the files collect in.
    items.sort(key=lambda item: item.path.name == PAGE_CHECKS)


@pytest.fixture(scope="session")
def live_server(live_server):
    from tests.e2e import pages

    httpd = live_server.thread.httpd
    httpd.set_app(pages.recording(httpd.get_app()))
    return live_server


@pytest.fixture(scope="session")
def browser():
    # Never a skip: a suite that passes without its browser tests has not tested the journeys. To leave them
    # out on purpose, deselect them (`-m "not e2e"`).
    if not shutil.which(CHROMIUM) and not pathlib.Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM} (R2DR_CHROMIUM): install it with "
            "`sudo apt-get install -y --no-install-recommends chromium` (or `make system-deps`), "
            "or point R2DR_CHROMIUM at a Chromium binary",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
        )
        yield browser
        browser.close()


def _page(browser, **options):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    return context, page


@pytest.fixture
def page(browser):
    context, page = _page(browser)
    yield page
    context.close()


@pytest.fixture
def nojs_page(browser):
    context, page = _page(browser, java_script_enabled=False)
    yield page
    context.close()


def shot(page, name: str):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def e2e_login():
    from tests.factories import totp_now

    def login(page, live_server, email, password=PASSWORD, totp_secret=None):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign In").click()
        page.wait_for_load_state()
        if totp_secret:
            # A code typed in the last moments of its 30-second period can reach the server in the next one and be
            # refused (allauth allows no drift), which made journeys fail at random under load: wait for a fresh
            # period instead.
            left = 30 - time.time() % 30
            if left < 5:
                time.sleep(left + 0.5)
            page.locator("input[name=code]").fill(totp_now(totp_secret))
            page.get_by_role("button", name="Sign In", exact=True).click()
        page.wait_for_load_state()
        assert "/accounts/login" not in page.url and "/accounts/2fa/authenticate" not in page.url, (
            f"sign-in as {email} did not complete: still at {page.url}"
        )
        return page

    return login


TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # tests.factories.enrol_totp's default
CASE_PASSPHRASE = "browser test case passphrase"


def staff_user(email, institution, role, *, mfa=True):
    """A user who can sign in through the real forms: verified e-mail, the role, TOTP (secret TOTP_SECRET)."""
    from allauth.account.models import EmailAddress

    from r2dr.roles import REGIONAL_ROLES
    from tests.factories import MembershipFactory, UserFactory, enrol_totp

    user = UserFactory(username=email)
    EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    MembershipFactory(user=user, institution=None if role in REGIONAL_ROLES else institution, role=role)
    if mfa:
        enrol_totp(user, TOTP_SECRET)
    return user


@pytest.fixture
def keyed_institution(settings, tmp_path):
    """An institution whose case keys are set up, with one case officer (passphrase CASE_PASSPHRASE)."""
    settings.R2DR_KDF_OPSLIMIT = 1
    settings.R2DR_KDF_MEMLIMIT = 8192 * 8
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ACCOUNT_EMAIL_VERIFICATION = "none"
    from cases import services
    from cases.demo import seed_taxonomies
    from r2dr.roles import Role
    from tests.factories import InstitutionFactory

    seed_taxonomies()
    institution = InstitutionFactory(
        slug="nhri-e2e", name="E2E Human Rights Commission", country="Testland", country_code="TL"
    )
    officer = staff_user("officer@e2e.example", institution, Role.CASE_OFFICER)
    okey = services.officer_key_create(institution=institution, user=officer, passphrase=CASE_PASSPHRASE)
    services.keyring_setup(institution=institution, by=officer, officer_key=okey)
    return institution, officer
