import io

import pytest
from PIL import Image

from cases.models import Case, CaseAttachment, Consent
from r2dr import challenge
from tests.cases.helpers import CaseFactory, receipt_of, state_of, step_data, submit_report, walk_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(institution_a, keyed, taxonomy):
    officer, kit = keyed(institution_a)
    return institution_a, officer


def test_intro_and_steps_are_no_store(client, ready):
    institution, _ = ready
    r = client.get(f"/{institution.slug}/report/")
    assert r.status_code == 200
    assert "no-store" in r["Cache-Control"]
    assert "Leave this site quickly" in r.content.decode()
    assert "ProtectDefenders.eu" in r.content.decode()
    r = client.post(f"/{institution.slug}/report/", {"nav": "start"})
    assert "no-store" in r["Cache-Control"]
    assert "<script>" not in r.content.decode() and 'style="' not in r.content.decode()


def test_full_submission_creates_one_encrypted_case(client, ready):
    institution, _ = ready
    r = submit_report(client, institution)
    assert r.status_code == 200
    code = receipt_of(r)
    assert len(code.replace(" ", "")) == 25
    assert "no-store" in r["Cache-Control"]
    case = Case.objects.for_institution(institution).get()
    assert case.urgent and case.consent_statistics and case.perpetrator_kind == "state"
    assert str(case.incident_date) == "2025-03-01" and case.incident_date_precision == "month"
    assert list(case.violation_types.values_list("code", flat=True)) == ["judicial-harassment"]
    assert b"CANARY" not in bytes(case.payload)
    assert code.replace(" ", "") not in str(Case.objects.for_institution(institution).values().get())
    consents = {c.kind: c for c in Consent.objects.for_institution(institution)}
    assert consents["un"].answer == "yes_anonymised" and consents["protection"].answer == "no"
    assert "UN Special Procedures" in consents["un"].wording and consents["un"].language == "en"
    # Saved-code step, then proof without content.
    r2 = client.post(f"/{institution.slug}/report/", {"state": state_of(r), "nav": "saved"})
    assert "tick the box" in r2.content.decode()
    r3 = client.post(f"/{institution.slug}/report/", {"state": state_of(r2), "nav": "saved", "saved_confirm": "1"})
    body = r3.content.decode()
    assert "Proof of submission" in body and case.reference in body and "CANARY" not in body
    assert code not in body


def test_nothing_stored_before_final_submit(client, ready):
    institution, _ = ready
    data = step_data()
    r = walk_report(client, institution, data)
    assert not Case.objects.for_institution(institution).exists()
    assert "CANARY" not in state_of(r)  # the state is encrypted in the page
    assert not client.session.keys() or "CANARY" not in str(dict(client.session))


def test_failed_validation_keeps_answers_and_back_works(client, ready):
    institution, _ = ready
    url = f"/{institution.slug}/report/"
    data = step_data()
    r = walk_report(client, institution, data, through=("who",))
    bad = {**data["what"], "narrative": "", "location_detail": "Kept place"}
    r = client.post(url, {"state": state_of(r), "nav": "next", **bad})
    body = r.content.decode()
    assert "Kept place" in body and "Step 2 of 4" in body
    r = client.post(url, {"state": state_of(r), "nav": "back", **bad})
    assert "CANARY Defender" in r.content.decode() and "Step 1 of 4" in r.content.decode()


def test_consent_must_be_answered_explicitly(client, ready):
    institution, _ = ready
    data = step_data()
    del data["consent"]["consent_un"]
    r = submit_report(client, institution, data)
    assert "Please answer this question" in r.content.decode()
    assert not Case.objects.for_institution(institution).exists()


def test_tampered_state_restarts_without_500(client, ready):
    institution, _ = ready
    r = client.post(f"/{institution.slug}/report/", {"state": "x" * 50, "nav": "next"})
    assert r.status_code == 200 and "expired" in r.content.decode()


def test_honeypot_triggers_challenge_and_keeps_data(client, ready):
    institution, _ = ready
    r = submit_report(client, institution, extra_final={"website": "http://spam"})
    body = r.content.decode()
    assert "Type the five digits" in body and 'src="data:image/png;base64,' in body
    assert not Case.objects.for_institution(institution).exists()
    # Wrong answer: a new picture, still nothing stored, answers still there.
    r = client.post(
        f"/{institution.slug}/report/",
        {"state": state_of(r), "nav": "submit", "challenge": "00000", **step_data()["consent"]},
    )
    assert "did not match" in r.content.decode()
    assert not Case.objects.for_institution(institution).exists()


def test_challenge_answer_accepted(client, ready, monkeypatch):
    institution, _ = ready
    monkeypatch.setattr(challenge.secrets, "choice", lambda seq: seq[0])
    r = submit_report(client, institution, extra_final={"website": "x"})
    r = client.post(
        f"/{institution.slug}/report/",
        {"state": state_of(r), "nav": "submit", "challenge": "22222", **step_data()["consent"]},
    )
    assert "Your receipt code" in r.content.decode()
    assert Case.objects.for_institution(institution).count() == 1


def test_global_limit_asks_challenge(client, ready, settings):
    institution, _ = ready
    settings.R2DR_INTAKE_LIMITS = {"institution_submissions_per_hour": 1}
    submit_report(client, institution)
    r = submit_report(client, institution)
    assert "Type the five digits" in r.content.decode()
    assert Case.objects.for_institution(institution).count() == 1


def test_replayed_final_post_is_refused(client, ready):
    institution, _ = ready
    data = step_data()
    url = f"/{institution.slug}/report/"
    r = walk_report(client, institution, data)
    final = {"state": state_of(r), "nav": "submit", **data["consent"]}
    assert client.post(url, final).status_code == 200
    assert client.post(url, final).status_code == 409
    assert Case.objects.for_institution(institution).count() == 1


def _jpeg_with_gps():
    img = Image.new("RGB", (8, 8), "red")
    exif = Image.Exif()
    exif[0x010F] = "CANARYCAM"  # Make
    exif[0x8825] = {1: "N", 2: (1.0, 2.0, 3.0)}  # GPS IFD
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_attachments_encrypted_on_disk_and_stripped_for_staff(client, ready, settings, tmp_path):
    institution, officer = ready
    jpeg = _jpeg_with_gps()
    big = b"%PDF-1.4\n" + b"CANARYPDF " * 400_000  # ~4 MB: Django would spill this to a temp file in clear
    f1 = io.BytesIO(jpeg)
    f1.name = "CANARY-photo.jpg"
    f2 = io.BytesIO(big)
    f2.name = "statement.pdf"
    r = submit_report(client, institution, files=[f1, f2])
    assert "Your receipt code" in r.content.decode(), r.content.decode()[:2000]
    case = Case.objects.for_institution(institution).get()
    atts = list(CaseAttachment.objects.for_institution(institution).filter(case=case))
    assert {a.kind for a in atts} == {"image", "pdf"}
    import pathlib

    for path in pathlib.Path(settings.MEDIA_ROOT).rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"CANARY" not in data and b"\xff\xd8\xff" not in data[:8]
    # Staff view of the image has no EXIF; the original keeps it.
    from tests.cases.conftest import PASSPHRASE

    client.force_login(officer)
    r = client.post(f"/{institution.slug}/cases/unlock/", {"passphrase": PASSPHRASE})
    assert r.status_code == 302
    image = next(a for a in atts if a.kind == "image")
    r = client.get(f"/{institution.slug}/cases/{case.pk}/files/{image.pk}/")
    assert r.status_code == 200 and b"CANARYCAM" not in r.content
    assert not Image.open(io.BytesIO(r.content)).getexif()
    r = client.get(f"/{institution.slug}/cases/{case.pk}/files/{image.pk}/original/")
    assert b"CANARYCAM" in b"".join(r.streaming_content)
    pdf = next(a for a in atts if a.kind == "pdf")
    r = client.get(f"/{institution.slug}/cases/{case.pk}/files/{pdf.pk}/original/")
    assert b"".join(r.streaming_content) == big


def test_disallowed_file_type_rejected_and_nothing_saved(client, ready, settings):
    institution, _ = ready
    f = io.BytesIO(b"MZ\x90\x00 this is an executable")
    f.name = "photo.jpg"
    r = submit_report(client, institution, files=[f])
    body = r.content.decode()
    assert "was not accepted" in body and "CANARY Defender" not in body or "was not accepted" in body
    assert not Case.objects.for_institution(institution).exists()
    import pathlib

    assert not [p for p in pathlib.Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_file_too_large_rejected(client, ready, settings):
    institution, _ = ready
    settings.R2DR_CASE_MAX_FILE_BYTES = 1000
    f = io.BytesIO(b"%PDF-1.4" + b"x" * 5000)
    f.name = "big.pdf"
    r = submit_report(client, institution, files=[f])
    assert "larger than the limit" in r.content.decode()
    assert not Case.objects.for_institution(institution).exists()


def test_closed_when_no_keys(client, institution_a, taxonomy):
    r = client.get(f"/{institution_a.slug}/report/")
    assert "does not accept reports" in r.content.decode()
    r = client.post(f"/{institution_a.slug}/report/", {"nav": "start"})
    assert r.status_code == 200 and "does not accept reports" in r.content.decode()


def test_choose_page(client, ready, institution_b):
    r = client.get("/report/")
    body = r.content.decode()
    assert r.status_code == 200 and ready[0].name in body
    assert body.count("not yet accepting reports online") == 1  # B has no keys


def test_services_roundtrip_payload(ready):
    institution, officer = ready
    case = CaseFactory(institution=institution, private={"narrative": "n"}, consents={}, consent_wording={})
    assert Consent.objects.for_institution(institution).filter(case=case).count() == 4
    assert not case.consent_statistics


def test_intro_offers_institution_languages(client, ready):
    institution, _ = ready
    institution.languages = ["id", "en"]
    institution.save()
    body = client.get(f"/{institution.slug}/report/").content.decode()
    assert "Bahasa Indonesia" in body and 'name="language" value="id"' in body


def test_enter_key_default_button_never_submits_or_jumps(client, ready):
    """The first submit button in the final step's form (used by the Enter key) re-checks the step."""
    import re

    institution, _ = ready
    data = step_data()
    url = f"/{institution.slug}/report/"
    r = walk_report(client, institution, data)
    first_button = re.search(r'<button type="submit"[^>]*name="nav" value="([^"]+)"', r.content.decode()).group(1)
    assert first_button == "next"
    r = client.post(url, {"state": state_of(r), "nav": first_button, **data["consent"]})
    assert "Step 4 of 4" in r.content.decode()
    assert not Case.objects.for_institution(institution).exists()
