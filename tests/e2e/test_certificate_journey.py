"""From the course to a verified certificate, in the browser, with JavaScript on and off: a trainee completes the
whole fixture course through the pages inside the cohort's window; a real Celery worker issues the certificate;
the course page says "Course completed" and leads to it; the learner downloads the PDF, opens the verification
page from the URL printed in it (pdftotext) and from its QR code (decoded from the rendered page), sees the name
as issued, and the page's upload check says the PDF is the issued one and a copy changed by one byte is not.

Then the facilitator's side: the cohort page (progress table, filter by institution, CSV, item analysis, the
practice institution, the certificates with revocation for a reason) at 1280 and 360 px, screenshots in
test-artifacts/, and nothing wider than the viewport."""

import re
import shutil
import subprocess
import time

import pytest

from r2dr.roles import Role
from tests.conftest import skip_or_fail
from tests.e2e.conftest import TOTP_SECRET, shot, staff_user
from tests.e2e.pages import page_state
from tests.e2e.training_steps import answer_quiz
from tests.factories import InstitutionFactory
from tests.training.helpers import enrol, open_cohort
from training.models import QuizAttempt

pytestmark = pytest.mark.django_db(transaction=True)

WORKER_SECONDS = 90
# Wider than the viewport, outside any scrolling region: the page itself would scroll sideways.
OVERFLOW = """() => {
  const limit = document.documentElement.clientWidth, out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || (r.right <= limit + 1 && r.left >= -1)) continue;
    let scroller = false;
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(p).overflowX)) { scroller = true; break; }
    }
    if (!scroller) out.push(`${el.tagName.toLowerCase()}.${el.className}`);
  }
  return {scrollWidth: document.documentElement.scrollWidth, viewport: limit, outside: out.slice(0, 5)};
}"""


def _poppler():
    for tool in ("pdftotext", "pdftoppm"):
        if not shutil.which(tool):
            skip_or_fail(f"{tool} is needed (poppler-utils: scripts/system-deps test)")


def _complete_through_the_pages(page, live_server, enrolment):
    """Follow "Start"/"Continue" from the course page until nothing is left: mark each lesson done, pass each quiz
    (after one wrong attempt at the first)."""
    course_url = f"{live_server.url}/{enrolment.institution.slug}/training/enrolments/{enrolment.pk}/"
    wrong_once = False
    for _step in range(20):
        page.goto(course_url)
        onward = page.get_by_role("link", name=re.compile(r"^(Start|Continue)$"))
        if onward.count() == 0:
            return
        onward.click()
        page.wait_for_load_state()
        if page.get_by_role("button", name="Mark as done").count():
            page.get_by_role("button", name="Mark as done").click()
            page.wait_for_load_state()
            continue
        page.get_by_role("button", name=re.compile(r"^(Start the quiz|Try again|Resume the attempt)$")).click()
        page.wait_for_load_state()
        attempt = (
            QuizAttempt.objects.for_institution(enrolment.institution)
            .filter(enrolment=enrolment, submitted_at__isnull=True)
            .get()
        )
        answer_quiz(page, attempt, right=wrong_once)
        if not wrong_once:
            assert "Not passed yet" in page.content()
        wrong_once = True
    pytest.fail("the course was not completed in 20 steps")


def _certificate_link(page, course_url):
    """The course page of a completed learner: "being issued" (no link) until the worker has made the PDF."""
    deadline = time.monotonic() + WORKER_SECONDS
    link = page.get_by_role("link", name=re.compile("^Your certificate"))
    while time.monotonic() < deadline:
        page.goto(course_url)
        assert "Course completed" in page.content()
        if link.count():
            return link
        assert "Your certificate is being issued" in page.content()
        time.sleep(0.5)
    pytest.fail(f"no certificate on the course page {WORKER_SECONDS} s after the completion")


def _verify_path(url: str) -> str:
    match = re.fullmatch(r"https?://[^/]+(/verify/[a-z2-7]{26}/)", url)
    assert match, f"not a verification URL: {url!r}"
    return match.group(1)


def _no_broken_link(page, where):
    """Every link in the page's main content answers (with the learner's session), none with an error."""
    hrefs = page.locator("main a[href]").evaluate_all("links => links.map(a => a.href.split('#')[0])")
    assert hrefs, where
    for href in sorted(set(hrefs)):
        status = page.context.request.get(href, max_redirects=0).status
        assert status < 400, (where, href, status)


def _upload(page, path) -> str:
    page.get_by_label(re.compile("^PDF file")).set_input_files(str(path))
    page.get_by_role("button", name="Compare").click()
    page.wait_for_load_state()
    return page.locator("#check [role=status]").inner_text()


def _learner_journey(page, live_server, e2e_login, settings, tmp_path, suffix, first, last):
    import r2dr.settings as project_settings

    _poppler()
    # The worker writes the PDF where its own settings say; the live server reads it from there.
    settings.MEDIA_ROOT = project_settings.MEDIA_ROOT
    institution = InstitutionFactory(slug=f"e2e-cert-{suffix}", name=f"E2E Certificate Commission {suffix}")
    user = staff_user(f"graduate-{suffix}@e2e.example", institution, Role.TRAINEE, mfa=False)
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])
    enrolment = enrol(open_cohort(title=f"E2E certificate cohort {suffix}"), institution, user, membership=False)
    e2e_login(page, live_server, user.email)

    started = time.monotonic()
    _complete_through_the_pages(page, live_server, enrolment)
    course_url = f"{live_server.url}/{institution.slug}/training/enrolments/{enrolment.pk}/"
    link = _certificate_link(page, course_url)
    print(f"{suffix}: course completed through the pages and certificate issued in {time.monotonic() - started:.1f} s")
    assert "Done: 100%" in page.content()
    assert page.locator("main a[href$='print.pdf']").count() == 2  # one printable PDF per module
    _no_broken_link(page, "the completed course page")
    page_state(page, "completed")  # the page checks see this state of the course page too
    page.reload()
    page_state(page, "")
    if suffix == "js":
        for width in (360, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            shot(page, f"certificate-course-completed-{width}")
        page.set_viewport_size({"width": 1280, "height": 900})
    link.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Your certificates"
    assert page.get_by_role("checkbox", name=re.compile("^Anyone with the code may verify")).is_checked()
    _no_broken_link(page, "the certificate page")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the certificate (PDF)").click()
    issued = tmp_path / f"issued-{suffix}.pdf"
    download_info.value.save_as(str(issued))
    assert issued.read_bytes().startswith(b"%PDF")

    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(issued), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert f"{first} {last}" in text
    # The URL is printed in a narrow column and may wrap: read it with the line breaks taken out.
    printed = re.search(r"https?://\S+?/verify/[a-z2-7]{26}/", re.sub(r"\s+", "", text))
    assert printed, text
    subprocess.run(
        ["pdftoppm", "-png", "-r", "100", "-singlefile", str(issued), str(tmp_path / f"page-{suffix}")], check=True
    )
    import zxingcpp
    from PIL import Image

    scanned = [code.text for code in zxingcpp.read_barcodes(Image.open(tmp_path / f"page-{suffix}.png"))]
    assert scanned == [printed.group(0)], (scanned, printed.group(0))
    # The PDF names the platform's address (R2DR_SITE_URL, as the worker has it); here the platform is the live
    # server, so the path is opened there.
    assert printed.group(0).startswith(project_settings.R2DR_SITE_URL.rstrip("/") + "/verify/")

    for url in (printed.group(0), scanned[0]):
        page.goto(live_server.url + _verify_path(url))
        assert page.get_by_role("heading", level=1).inner_text() == "Certificate verification"
        assert "Valid." in page.content()
        assert page.locator("dt:text-is('Name as issued') + dd").inner_text() == f"{first} {last}"
    assert _upload(page, issued) == "Yes: the file you chose is exactly the PDF that was issued."
    changed = tmp_path / f"changed-{suffix}.pdf"
    data = bytearray(issued.read_bytes())
    data[len(data) // 2] ^= 0x01
    changed.write_bytes(bytes(data))
    assert _upload(page, changed).startswith("No: the file you chose is not the PDF that was issued")
    if suffix == "js":
        shot(page, "certificate-verify-not-issued-1280")


@pytest.mark.worker
def test_a_trainee_completes_the_course_and_verifies_the_certificate(
    page, live_server, e2e_login, celery_worker, settings, tmp_path
):
    _learner_journey(page, live_server, e2e_login, settings, tmp_path, "js", "Siti", "Rahayu")


@pytest.mark.worker
def test_the_certificate_journey_without_javascript(
    nojs_page, live_server, e2e_login, celery_worker, settings, tmp_path
):
    _learner_journey(nojs_page, live_server, e2e_login, settings, tmp_path, "nojs", "สมชาย", "ใจดี")


# --- the facilitator -------------------------------------------------------------------------------------------


def _fits(page, where):
    found = page.evaluate(OVERFLOW)
    assert found["scrollWidth"] <= found["viewport"] and not found["outside"], (where, found)


def _cohort_with_learners(settings, tmp_path):
    """A cohort with learners of two institutions at different stages: one has completed with a certificate
    (issued in-process), one is half-way with a failed quiz attempt, one has not started."""
    from indicators.framework_seed import ensure_framework
    from tests.certificates.helpers import complete
    from training.certificates import services as certificate_services
    from training.models import Module
    from training.services import progress

    settings.MEDIA_ROOT = str(tmp_path / "media")
    ensure_framework()
    cohort = open_cohort(title="E2E facilitated cohort")
    north = InstitutionFactory(slug="e2e-north", name="E2E North Commission", short_name="North")
    south = InstitutionFactory(slug="e2e-south", name="E2E South Commission", short_name="South")
    people = {}
    for key, institution, first, last in (
        ("done", north, "Amara", "Okafor"),
        ("half", north, "Bima", "Santoso"),
        ("new", south, "Chenda", "Sok"),
    ):
        user = staff_user(f"{key}@e2e.example", institution, Role.TRAINEE, mfa=False)
        user.first_name, user.last_name = first, last
        user.save(update_fields=["first_name", "last_name"])
        people[key] = enrol(cohort, institution, user, membership=False)
    complete(people["done"])
    certificate = certificate_services.certificate_issue(institution=north, enrolment_id=people["done"].pk)
    module = Module.objects.get(course=cohort.course, number=1)
    attempt = progress.attempt_start(enrolment=people["half"], module=module)
    progress.attempt_submit(attempt=attempt, answers={qid: [] for qid in attempt.question_ids})
    return cohort, certificate


def test_a_facilitator_runs_the_cohort_at_1280_and_360_px(page, live_server, e2e_login, settings, tmp_path):
    cohort, certificate = _cohort_with_learners(settings, tmp_path)
    facilitator = staff_user("facilitator@e2e.example", None, Role.FACILITATOR)
    e2e_login(page, live_server, facilitator.email, totp_secret=TOTP_SECRET)
    page.goto(f"{live_server.url}/training/cohorts/")
    page.get_by_role("link", name=cohort.title).click()
    page.wait_for_load_state()
    table = page.get_by_role("region", name="Progress by learner and module")
    assert table.get_by_role("rowheader").count() == 3
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        _fits(page, f"cohort at {width}")
        shot(page, f"training-cohort-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_label("Institution", exact=True).select_option(label="E2E South Commission")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_load_state()
    assert table.get_by_role("rowheader").count() == 1 and "Chenda Sok" in table.inner_text()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    csv_text = open(download_info.value.path(), encoding="utf-8").read()
    assert "Chenda Sok" in csv_text and "Amara Okafor" not in csv_text

    page.get_by_role("link", name="Quiz item analysis").click()
    page.wait_for_load_state()
    assert page.get_by_role("region", name=re.compile("^Module 1")).count() == 1
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        _fits(page, f"item analysis at {width}")
        shot(page, f"training-items-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{live_server.url}/training/cohorts/{cohort.pk}/")
    page.get_by_role("button", name="Open the practice institution").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Open the practice cycle").count() == 1

    page.get_by_role("link", name="Certificates", exact=True).last.click()
    page.wait_for_load_state()
    region = page.get_by_role("region", name="Certificates of the cohort")
    assert "Amara Okafor" in region.inner_text()
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        _fits(page, f"certificates at {width}")
        shot(page, f"training-certificates-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})
    region.get_by_label("Reason for revocation").fill("Completed under another learner's account")
    region.get_by_role("button", name="Revoke").click()
    page.wait_for_load_state()
    assert "The certificate is revoked" in page.content()
    assert "Completed under another learner's account" in region.inner_text()
    page.goto(f"{live_server.url}/verify/{certificate.code}/")
    assert "Revoked." in page.content()
