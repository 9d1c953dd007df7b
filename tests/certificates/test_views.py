"""The public verification page (fields, noindex, JSON, the upload check that stores and parses nothing,
withdrawal), the learner's downloads and module PDFs, the facilitators' revocation."""

import io
import subprocess

import pytest
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler

from r2dr.roles import Role
from tests.certificates.helpers import complete, learner
from training.certificates import services
from training.certificates.models import Certificate
from training.certificates.uploads import DigestUploadHandler
from training.models import Module

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(institution_a):
    enrolment = complete(learner(institution_a, first="Ada", last="Lovelace", email="ada.private@example.org"))
    return services.certificate_issue(institution=institution_a, enrolment_id=enrolment.pk)


def _upload(client, certificate, data: bytes):
    return client.post(f"/verify/{certificate.code}/", {"pdf": io.BytesIO(data)}, format="multipart")


def test_the_verify_page_shows_every_printed_field_and_nothing_else_and_is_noindex(client, issued):
    response = client.get(f"/verify/{issued.code}/")
    body = response.content.decode()
    for value in (
        "Ada Lovelace",
        "Institution A",
        issued.course_title,
        issued.cohort_title,
        issued.issuer,
        issued.pdf_sha256,
    ):
        assert value in body
    assert "ada.private@example.org" not in body and "Valid." in body
    assert '<meta name="robots" content="noindex' in body
    assert "noindex" in response["X-Robots-Tag"] and "no-store" in response["Cache-Control"]
    data = client.get(f"/verify/{issued.code}.json").json()
    assert data["name"] == "Ada Lovelace" and data["pdf_sha256"] == issued.pdf_sha256 and data["status"] == "valid"
    assert set(data) == {
        "code",
        "publicly_verifiable",
        "status",
        "revoked_on",
        "name",
        "institution",
        "course",
        "cohort",
        "completed_on",
        "issuer",
        "pdf_sha256",
        "verify_url",
        "issuer_profile",
    }
    assert client.get("/verify/" + "a" * 26 + "/").status_code == 404


def test_the_uploaded_issued_pdf_is_recognised_and_a_one_byte_change_is_not(client, issued):
    original = services.certificate_pdf_bytes(issued)
    assert "Yes: the file you chose is exactly the PDF" in _upload(client, issued, original).content.decode()
    changed = bytearray(original)
    changed[len(changed) // 2] ^= 0x01
    assert "No: the file you chose is not the PDF" in _upload(client, issued, bytes(changed)).content.decode()
    assert "Choose a PDF file first" in client.post(f"/verify/{issued.code}/", {}).content.decode()


def test_an_upload_over_5_mb_is_refused_unread_when_its_length_says_so(client, issued, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the body of an oversized request was read")

    monkeypatch.setattr(DigestUploadHandler, "receive_data_chunk", refuse)
    response = _upload(client, issued, b"%PDF" + b"\0" * (6 * 1024 * 1024))
    assert response.status_code == 413 and "larger than 5 MB" in response.content.decode()


def test_a_file_just_over_5_mb_is_refused_by_the_chunk_count(client, issued):
    response = _upload(client, issued, b"%PDF" + b"\0" * (5 * 1024 * 1024 + 4096))
    assert response.status_code == 413 and "larger than 5 MB" in response.content.decode()


def test_the_upload_is_hashed_in_chunks_and_never_reaches_memory_or_disk_handlers(
    client, issued, settings, monkeypatch
):
    """With Django's handlers a 3 MB file goes to a temporary file (and a small one into memory): neither runs."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1

    def refuse(*args, **kwargs):
        raise AssertionError("a Django upload handler kept the file")

    monkeypatch.setattr(TemporaryFileUploadHandler, "new_file", refuse)
    monkeypatch.setattr(MemoryFileUploadHandler, "new_file", refuse)
    original = services.certificate_pdf_bytes(issued)
    padded = original + b"\n" * (3 * 1024 * 1024)
    assert "No: the file you chose" in _upload(client, issued, padded).content.decode()
    assert "Yes: the file you chose" in _upload(client, issued, original).content.decode()


def test_withdrawn_public_verification_says_only_that(member_client, client, issued, institution_a):
    learner_client = member_client(institution_a, Role.TRAINEE)
    learner_client.force_login(issued.enrolment.user)
    response = learner_client.post(f"/{institution_a.slug}/training/certificates/{issued.pk}/public/", {})
    assert response.status_code == 302
    client.logout()
    body = client.get(f"/verify/{issued.code}/").content.decode()
    assert "not publicly verifiable" in body
    assert "Ada Lovelace" not in body and issued.pdf_sha256 not in body and "Institution A" not in body
    assert client.get(f"/verify/{issued.code}.json").json() == {"code": issued.code, "publicly_verifiable": False}
    assert "Yes: the file" not in _upload(client, issued, services.certificate_pdf_bytes(issued)).content.decode()
    learner_client.force_login(issued.enrolment.user)
    learner_client.post(f"/{institution_a.slug}/training/certificates/{issued.pk}/public/", {"public": "on"})
    assert "Ada Lovelace" in client.get(f"/verify/{issued.code}/").content.decode()


def test_the_learner_downloads_the_pdf_and_the_credential(client, issued, institution_a):
    client.force_login(issued.enrolment.user)
    page = client.get(f"/{institution_a.slug}/training/certificates/").content.decode()
    assert issued.course_title in page and f"/verify/{issued.code}/" in page
    pdf = client.get(f"/{institution_a.slug}/training/certificates/{issued.pk}/certificate.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content == services.certificate_pdf_bytes(issued)
    jwt = client.get(f"/{institution_a.slug}/training/certificates/{issued.pk}/credential.jwt")
    assert jwt.content.decode() == issued.credential_jwt
    readable = client.get(f"/{institution_a.slug}/training/certificates/{issued.pk}/credential.jwt?format=json").json()
    assert readable["type"] == ["VerifiableCredential", "OpenBadgeCredential"]


def test_another_learner_gets_no_download(member_client, issued, institution_a):
    other = member_client(institution_a, Role.TRAINEE)
    assert other.get(f"/{institution_a.slug}/training/certificates/{issued.pk}/certificate.pdf").status_code == 404


def test_a_facilitator_revokes_with_a_reason_and_the_page_says_revoked(member_client, client, issued):
    facilitator = member_client(None, Role.FACILITATOR)
    cohort_id = issued.enrolment.cohort_id
    assert "Ada Lovelace" in facilitator.get(f"/training/cohorts/{cohort_id}/certificates/").content.decode()
    facilitator.post(f"/training/certificates/{issued.pk}/revoke/", {"reason": ""})
    assert not Certificate.objects.for_institution(issued.institution).get(pk=issued.pk).revoked
    facilitator.post(f"/training/certificates/{issued.pk}/revoke/", {"reason": "Completed by someone else"})
    client.logout()
    body = client.get(f"/verify/{issued.code}/").content.decode()
    assert "Revoked." in body and "Completed by someone else" not in body
    assert client.get(f"/verify/{issued.code}.json").json()["status"] == "revoked"


def test_a_module_prints_as_a_pdf_with_its_lessons(client, institution_a, tmp_path):
    enrolment = learner(institution_a)
    client.force_login(enrolment.user)
    module = Module.objects.get(course=enrolment.cohort.course, number=1)
    response = client.get(f"/{institution_a.slug}/training/enrolments/{enrolment.pk}/modules/{module.pk}/print.pdf")
    assert response["Content-Type"] == "application/pdf"
    (tmp_path / "module.pdf").write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "module.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    for lesson in module.lessons.all():
        assert lesson.title in text


def _course_page(client, enrolment) -> str:
    client.force_login(enrolment.user)
    return client.get(f"/{enrolment.institution.slug}/training/enrolments/{enrolment.pk}/").content.decode()


def test_the_course_page_says_completed_and_leads_to_the_certificate_once_it_is_issued(client, institution_a):
    # The completion's hook queues the issue once the transaction commits, which this test's never does.
    enrolment = complete(learner(institution_a))
    page = _course_page(client, enrolment)
    assert "Course completed" in page and "Your certificate is being issued" in page
    assert "#certificate-" not in page  # no link to a certificate that is not there yet
    certificate = services.certificate_issue(institution=institution_a, enrolment_id=enrolment.pk)
    page = _course_page(client, enrolment)
    assert f'href="/{institution_a.slug}/training/certificates/#certificate-{certificate.pk}"' in page
    assert "being issued" not in page


def test_a_learner_still_studying_is_shown_no_completion_and_no_certificate(client, institution_a):
    page = _course_page(client, learner(institution_a))
    assert "Course completed" not in page and "Your certificate" not in page and "#certificate-" not in page


def test_module_pdfs_are_linked_from_the_course_page_once_the_cohort_opens(client, institution_a):
    from tests.training.helpers import open_cohort

    enrolment = learner(institution_a)
    modules = Module.objects.filter(course=enrolment.cohort.course).order_by("number")
    page = _course_page(client, enrolment)
    for module in modules:
        url = f"/{institution_a.slug}/training/enrolments/{enrolment.pk}/modules/{module.pk}/print.pdf"
        assert f'href="{url}"' in page
        assert client.get(url)["Content-Type"] == "application/pdf"
    early = learner(institution_a, cohort=open_cohort(days_before=-3, title="Later cohort"))
    page = _course_page(client, early)
    url = f"/{institution_a.slug}/training/enrolments/{early.pk}/modules/{modules[0].pk}/print.pdf"
    assert "print.pdf" not in page and client.get(url).status_code == 404
