"""Bad input to the public form, the follow-up and the officer's image view answers clearly: never a 500, and
never silently stored differently from what the defender saw confirmed."""

import io
import re
import struct
import zlib

import pytest
from django import forms as djforms
from PIL import Image

from cases import forms, intake, plaintext
from cases.models import Case, CaseAttachment
from tests.cases.helpers import receipt_of, state_of, step_data, submit_report, unlock_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(institution_a, keyed, taxonomy):
    officer, _kit = keyed(institution_a)
    return institution_a, officer


# --- 1. a NUL byte in the follow-up's fields --------------------------------------------------------------------


def test_nul_bytes_in_the_follow_up_are_a_clear_message(client, ready):
    institution, _ = ready
    # The institution field of older pages is ignored now (the code alone finds the report); the receipt is checked.
    r = client.post("/follow-up/", {"institution": f"{institution.slug}\x00", "receipt": "1234\x00", "nav": "open"})
    assert r.status_code == 200
    assert "Null characters are not allowed." in r.content.decode()
    r = client.post("/follow-up/", {"institution": f"{institution.slug}\x00", "receipt": "1234", "nav": "open"})
    assert r.status_code == 200 and "A receipt code has 25 digits; this one has 4." in r.content.decode()


# --- 2. a form body declared in a charset the form cannot be read in --------------------------------------------


@pytest.mark.parametrize("path", ["/follow-up/", "/{slug}/report/", "/{slug}/follow-up/", "/accounts/login/"])
def test_a_body_declared_utf16_is_a_clear_400_page(client, ready, path):
    institution, _ = ready
    client.raise_request_exception = False
    body = "institution=a&receipt=1234&nav=start".encode("utf-16")
    r = client.generic(
        "POST",
        path.format(slug=institution.slug),
        body,
        content_type="application/x-www-form-urlencoded; charset=utf-16",
    )
    assert r.status_code == 400
    page = r.content.decode()
    assert "could not be read" in page
    assert "Server error" not in page


# --- 4. an answer longer than its field's limit -----------------------------------------------------------------


def _long_fields():
    return [
        (cls.step, name, field.max_length)
        for cls in forms.STEPS
        for name, field in cls.base_fields.items()
        if isinstance(field, djforms.CharField) and not isinstance(field, djforms.EmailField) and field.max_length
    ]


@pytest.mark.parametrize(("step", "name", "limit"), _long_fields())
def test_an_answer_over_its_limit_is_refused_with_the_limit_and_its_length_and_kept(client, ready, step, name, limit):
    institution, _ = ready
    data = step_data()
    text = "x" * (limit + 1)
    data[step][name] = text
    url = f"/{institution.slug}/report/"
    r = client.post(url, {"nav": "start"})
    for current in forms.STEP_NAMES:
        nav = "submit" if current == forms.STEP_NAMES[-1] else "next"
        r = client.post(url, {"state": state_of(r), "nav": nav, **data[current]})
        assert r.status_code == 200
        if current == step:
            break
    page = r.content.decode()
    assert "Your receipt code" not in page
    assert f"at most {limit:,} characters" in page and f"it has {limit + 1:,}" in page, page[:3000]
    assert text in page  # what was typed comes back, to be shortened
    assert not Case.objects.for_institution(institution).exists()


def test_a_20001_character_narrative_is_never_stored_cut(client, ready):
    institution, _ = ready
    data = step_data(narrative="n" * 20_001)
    r = submit_report(client, institution, data=data)
    assert "Your receipt code" not in r.content.decode()
    assert not Case.objects.for_institution(institution).exists()


# --- 3. images that pass the type check but cannot be shown ----------------------------------------------------


def _png(width, height, rows: bytes) -> bytes:
    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def _bomb() -> bytes:
    """A PNG of a few dozen kilobytes that decodes to 20,000 x 20,000 pixels."""
    side = 20_000
    return _png(side, side, (b"\x00" + b"\x00" * (side // 8)) * side)


def _truncated_png() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((256, 256), 64).save(out, "PNG")
    data = out.getvalue()
    return data[: len(data) // 2]


def _polyglot() -> bytes:
    """JPEG magic bytes, then a web page: passes a check of the first bytes, is no image."""
    return (
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01"
        + b"<html><body><script>alert(document.domain)</script></body></html>" * 20
    )


BAD_IMAGES = {"polyglot.jpg": _polyglot, "truncated.png": _truncated_png, "bomb.png": _bomb}


def _file(name, data):
    f = io.BytesIO(data)
    f.name = name
    return f


@pytest.mark.parametrize("name", BAD_IMAGES)
def test_an_image_the_officer_could_not_see_is_refused_at_upload(client, ready, name):
    institution, _ = ready
    r = submit_report(client, institution, files=[_file(name, BAD_IMAGES[name]())])
    page = r.content.decode()
    assert "Your receipt code" not in page
    assert f"“{name}” could not be read as an image" in page
    assert "50 megapixels" in page
    assert "CANARY Defender" in page or "choose them again" in page  # the answers are kept, the file must be re-added
    assert not Case.objects.for_institution(institution).exists()


def test_a_good_image_still_passes(client, ready):
    institution, _ = ready
    out = io.BytesIO()
    Image.effect_noise((64, 64), 64).save(out, "PNG")
    r = submit_report(client, institution, files=[_file("good.png", out.getvalue())])
    assert "Your receipt code" in r.content.decode()
    assert CaseAttachment.objects.for_institution(institution).filter(kind="image").count() == 1


@pytest.mark.parametrize("name", BAD_IMAGES)
def test_the_image_view_shows_a_placeholder_for_an_image_it_cannot_render(client, ready, monkeypatch, name):
    """An image stored before uploads were checked (the check is patched out to store one)."""
    institution, officer = ready
    data = BAD_IMAGES[name]()
    monkeypatch.setattr(intake, "image_check", lambda data, content_type: None)
    r = submit_report(client, institution, files=[_file(name, data)])
    assert "Your receipt code" in r.content.decode()
    monkeypatch.undo()
    attachment = CaseAttachment.objects.for_institution(institution).get()
    client.raise_request_exception = False
    client.force_login(officer)
    unlock_client(client, institution)
    r = client.get(f"/{institution.slug}/cases/{attachment.case_id}/files/{attachment.pk}/")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/html")
    page = r.content.decode()
    assert "This image cannot be shown" in page and "<script>alert" not in page
    r = client.get(f"/{institution.slug}/cases/{attachment.case_id}/files/{attachment.pk}/original/")
    assert b"".join(r.streaming_content) == data


# --- 5. long file names and too many files ---------------------------------------------------------------------


def _pdf(name):
    return _file(name, b"%PDF-1.4\n" + name.encode()[:40])


def test_a_file_name_over_a_kilobyte_is_shortened_and_the_report_goes_through(client, ready):
    institution, officer = ready
    long_name = "d" * 1100 + "-ševčík.pdf"
    r = submit_report(client, institution, files=[_pdf("first.pdf"), _pdf(long_name)])
    assert r.status_code == 200
    assert "Your receipt code" in r.content.decode()
    case, key = plaintext.case_for_receipt(institution=institution, code=receipt_of(r))
    attachments = list(CaseAttachment.objects.for_institution(institution).filter(case=case).order_by("pk"))
    assert len(attachments) == 2
    names = [plaintext.attachment_meta(case, key, a)["name"] for a in attachments]
    assert names[0] == "first.pdf"
    assert names[1].startswith("d" * 100) and names[1].endswith(".pdf") and len(names[1]) < 255


@pytest.mark.parametrize("chunk_size", [1, 7, 64, 64 * 1024])
def test_the_header_shortener_changes_only_an_oversized_file_name_whatever_the_chunks(chunk_size):
    boundary = b"XyZ"
    long_header = b'Content-Disposition: form-data; name="files"; filename="' + b"n" * 2000 + b'.png"'
    body = (
        b'--XyZ\r\nContent-Disposition: form-data; name="state"\r\n\r\nabc--XyZ no boundary\r\n'
        b"--XyZ\r\n" + long_header + b"\r\nContent-Type: image/png\r\n\r\n" + bytes(range(256)) * 40 + b"\r\n"
        b'--XyZ\r\nContent-Disposition: form-data; name="nav"\r\n\r\nsubmit\r\n--XyZ--\r\n'
    )
    shortener = intake.PartHeaderShortener(io.BytesIO(body), boundary)
    shortener.chunk_size = chunk_size
    out = shortener.read()
    short_header = b'Content-Disposition: form-data; name="files"; filename="' + b"n" * 160 + "….png".encode() + b'"'
    assert out == body.replace(long_header, short_header)


def test_seven_files_say_the_limit_and_which_to_add_again_and_keep_every_answer(client, ready):
    institution, _ = ready
    r = submit_report(client, institution, files=[_pdf(f"file{i}.pdf") for i in range(7)])
    page = r.content.decode()
    assert r.status_code == 200 and "Your receipt code" not in page
    assert "You chose 7 files, but at most 5 can be sent at a time. Not taken: “file5.pdf”, “file6.pdf”." in page
    assert "please choose these files again: “file0.pdf”, “file1.pdf”, “file2.pdf”, “file3.pdf”, “file4.pdf”." in page
    # Every answer is kept: earlier steps in the review, this step's choices still ticked.
    assert "CANARY Defender" in page and "They came at night and took him." in page
    assert re.search(r'<input[^>]*name="consent_un" value="yes_anonymised"[^>]*checked', page)
    assert not Case.objects.for_institution(institution).exists()
    # Sent again with five of them, the same form goes through.
    r = client.post(
        f"/{institution.slug}/report/",
        {
            "state": state_of(r),
            "nav": "submit",
            **step_data()["consent"],
            "files": [_pdf(f"file{i}.pdf") for i in range(5)],
        },
    )
    assert "Your receipt code" in r.content.decode()
    assert CaseAttachment.objects.for_institution(institution).count() == 5
