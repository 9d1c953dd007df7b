"""No page scrolls sideways: the public pages and the main staff pages, in Arabic (right to left) and in English,
at 360 px and 1280 px, are never wider than the viewport.

In a right-to-left page, something pushed off-screen to the left (the skip link, the honeypot) lies on the scrollable
side, so a physical `left: -999px` made the page 2,279 px wide at 1280 px and the report form 10,360 px at 360 px."""

import pytest

from r2dr.roles import Role
from tests.e2e.conftest import TOTP_SECRET, shot, staff_user
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = (360, 1280)

# The page's width, and what sticks out of the viewport (to say which element to fix).
MEASURE = """() => {
  const root = document.documentElement, limit = root.clientWidth;
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if ((r.right > limit + 1 || r.left < -1) && r.width > 0) {
      let inScroller = false;
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') { inScroller = true; break; }
      }
      if (!inScroller) out.push(`${el.tagName.toLowerCase()}.${el.className} [${Math.round(r.left)}, ${Math.round(r.right)}]`);
    }
  }
  return {scrollWidth: root.scrollWidth, viewport: limit, dir: root.dir, lang: root.lang, outside: out.slice(0, 5)};
}"""


@pytest.fixture
def demo_world(settings, tmp_path):
    """The demo data (institutions, cases, a framework and cycles) and one user of each kind of page."""
    from django.core.cache import cache

    from cases import demo as cases_demo
    from cases.models import Case
    from indicators import demo as indicators_demo
    from indicators.models import Cycle
    from r2dr import demo as core_demo
    from r2dr.models import Institution
    from r2dr.tenancy import scopes_disabled

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.R2DR_KDF_OPSLIMIT = 1
    settings.R2DR_KDF_MEMLIMIT = 8192 * 8
    cache.clear()
    with scopes_disabled():
        core_demo.seed()
        cases_demo.seed()
        indicators_demo.seed()
        institution = Institution.objects.get(slug="komnas-ham")
        case = Case.objects.filter(institution=institution).order_by("pk").first()
        cycle = Cycle.objects.filter(institution=institution).order_by("-pk").first()
        area = cycle.version.areas.order_by("order", "code").first().code
    staff = staff_user("all-roles@e2e.example", institution, Role.CASE_OFFICER)
    for role in (Role.DATA_OFFICER, Role.REVIEWER, Role.INSTITUTION_HEAD, Role.INSTITUTION_ADMIN):
        MembershipFactory(user=staff, institution=institution, role=role)
    regional = staff_user("regional@e2e.example", None, Role.REGIONAL_ADMIN)
    base = f"/{institution.slug}"
    cycle_url = f"{base}/indicators/cycles/{cycle.pk}/"
    return {
        "public": [
            "/",
            "/report/",
            "/follow-up/",
            f"{base}/report/",
            f"{base}/follow-up/",
            "/framework/",
            "/accounts/login/",
            "/no-such-page/",
        ],
        "staff": (
            staff,
            [
                f"{base}/",
                f"{base}/cases/",
                f"{base}/cases/{case.pk}/",
                f"{base}/cases/keys/",
                f"{base}/cases/access-log/",
                f"{base}/indicators/",
                f"{base}/indicators/my-work/",
                cycle_url,
                f"{cycle_url}areas/{area}/",
                f"{cycle_url}areas/{area}/review/",
                f"{base}/dashboard/",
                f"{base}/reports/",
                f"{base}/members/",
                f"{base}/settings/",
            ],
        ),
        "regional": (
            regional,
            ["/regional/", "/regional/dashboard/", "/regional/reports/", "/regional/framework/"],
        ),
    }


def _widths(page, url, *, step_into_form=False):
    """Measures one page at each width; the public report form is measured on its first step (the honeypot's)."""
    results = []
    page.set_viewport_size({"width": WIDTHS[-1], "height": 900})
    page.goto(url)
    if step_into_form:
        page.locator("main form.stack button[type=submit]").first.click()
        page.wait_for_load_state()
        assert page.locator(".hp").count(), "the first step of the report form has the honeypot"
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        results.append((width, page.evaluate(MEASURE)))
    return results


def _check_all(page, urls, language, failures, *, form=None):
    for url in urls:
        for step in (False, True) if url == form else (False,):
            for width, m in _widths(page, url, step_into_form=step):
                assert m["lang"] == language and m["dir"] == ("rtl" if language == "ar" else "ltr"), (url, m)
                if m["scrollWidth"] > m["viewport"]:
                    failures.append(f"{language} {width}px {url}{' (step 1)' if step else ''}: {m}")


def _choose(page, live_server, language):
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])


@pytest.mark.parametrize("language", ["ar", "en"])
def test_no_page_is_wider_than_the_viewport(browser, live_server, e2e_login, demo_world, language):
    failures: list[str] = []
    context = browser.new_context()
    context.set_default_timeout(15_000)
    page = context.new_page()
    _choose(page, live_server, language)
    base = live_server.url
    form = f"{base}{demo_world['public'][3]}"
    _check_all(page, [f"{base}{u}" for u in demo_world["public"]], language, failures, form=form)
    context.close()

    for key in ("staff", "regional"):
        user, urls = demo_world[key]
        context = browser.new_context()
        context.set_default_timeout(15_000)
        page = context.new_page()
        e2e_login(page, live_server, user.email, totp_secret=TOTP_SECRET)
        _choose(page, live_server, language)
        _check_all(page, [f"{base}{u}" for u in urls], language, failures)
        if language == "ar" and key == "staff":
            page.goto(f"{base}{urls[1]}")
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                shot(page, f"rtl-cases-inbox-ar-{width}")
        context.close()
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("language", ["ar", "en"])
def test_report_form_step_at_360_and_its_skip_link(page, live_server, demo_world, language):
    """The page a defender fills in, its first step (with the honeypot) at 360 px, as a person sees it: no sideways
    scrolling, and the skip link, once focused, opens at the reading start (the right in Arabic)."""
    _choose(page, live_server, language)
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"{live_server.url}{demo_world['public'][3]}")
    page.locator("main form.stack button[type=submit]").first.click()
    page.wait_for_load_state()
    measured = page.evaluate(MEASURE)
    assert measured["dir"] == ("rtl" if language == "ar" else "ltr") and measured["scrollWidth"] <= 360, measured
    page.keyboard.press("Tab")
    box = page.locator(".skip-link").bounding_box()
    assert box and 0 <= box["x"] and box["x"] + box["width"] <= 360, box
    if language == "ar":
        assert box["x"] + box["width"] > 360 - 40, f"the skip link opens on the right in Arabic: {box}"
    else:
        assert box["x"] < 40, f"the skip link opens on the left in English: {box}"
    shot(page, f"report-step-{language}-360-skip-link")
    page.locator("h1").click()
    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.evaluate(MEASURE)["scrollWidth"] <= 1280
    shot(page, f"report-step-{language}-1280")
