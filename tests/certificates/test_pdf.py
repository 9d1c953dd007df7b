"""The certificate PDF: names in six scripts drawn with the Noto font of their script, the Thai and Khmer names
read back by pdftotext, the QR code read from the rendered page by a decoder (zxing-cpp) as the verify URL; and
the printable module PDF."""

import shutil
import subprocess
import time

import pytest
import zxingcpp
from PIL import Image

from tests.certificates.helpers import complete, learner
from tests.conftest import skip_or_fail
from training.certificates import services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _poppler():
    # make test installs poppler-utils (scripts/system-deps test); CI (R2DR_REQUIRE_SERVICES) fails without it.
    if not (shutil.which("pdftotext") and shutil.which("pdftoppm") and shutil.which("pdffonts")):
        skip_or_fail("pdftotext, pdftoppm and pdffonts (poppler-utils) are missing: sh scripts/system-deps test")


NAMES = {
    "thai": ("สมชาย", "ใจดี", "Noto Sans Thai", "th"),
    "khmer": ("សុខា", "ចាន់", "Noto Sans Khmer", "km"),
    "burmese": ("အောင်", "ကျော်", "Noto Sans Myanmar", "my"),
    "devanagari": ("सीता", "शर्मा", "Noto Sans Devanagari", "ne"),
    "mongolian": ("Батбаяр", "Дорж", "Noto Sans", "mn"),
    "arabic": ("فاطمة", "الزهراء", "Noto Naskh Arabic", "ar"),
}


def _issue(institution, first, last, language):
    enrolment = complete(learner(institution, first=first, last=last, language=language))
    started = time.perf_counter()
    certificate = services.certificate_issue(institution=institution, enrolment_id=enrolment.pk)
    return certificate, time.perf_counter() - started


def _pdf(tmp_path, certificate):
    path = tmp_path / f"{certificate.code}.pdf"
    path.write_bytes(services.certificate_pdf_bytes(certificate))
    return path


def _text(tmp_path, certificate):
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(_pdf(tmp_path, certificate)), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


@pytest.mark.parametrize("script", sorted(NAMES))
def test_the_name_is_drawn_with_its_scripts_font(institution_a, tmp_path, script):
    first, last, family, language = NAMES[script]
    certificate, seconds = _issue(institution_a, first, last, language)
    path = _pdf(tmp_path, certificate)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert family.replace(" ", "") in fonts.replace(" ", "").replace("-", ""), fonts
    assert certificate.language == language
    print(f"{script}: built in {seconds:.2f} s, {path.stat().st_size} bytes")


@pytest.mark.parametrize("script", ["thai", "khmer"])
def test_pdftotext_reads_the_thai_and_khmer_names_back(institution_a, tmp_path, script):
    first, last, _family, language = NAMES[script]
    certificate, _seconds = _issue(institution_a, first, last, language)
    text = _text(tmp_path, certificate)
    assert f"{first} {last}" in text
    assert certificate.code in text


def test_the_qr_code_on_the_rendered_page_is_the_verify_url(institution_a, tmp_path):
    certificate, _seconds = _issue(institution_a, "Ada", "Lovelace", "en")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "100", "-singlefile", str(_pdf(tmp_path, certificate)), str(tmp_path / "page")],
        check=True,
    )
    found = zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))
    assert [code.text for code in found] == [f"https://r2dr.example.org/verify/{certificate.code}/"]
    assert found[0].format == zxingcpp.BarcodeFormat.QRCode


def test_the_arabic_name_reads_back_in_logical_order(institution_a, tmp_path):
    certificate, _seconds = _issue(institution_a, *NAMES["arabic"][:2], "ar")
    text = _text(tmp_path, certificate)
    # Shaped right to left, the glyphs map back (ToUnicode) to the name in logical order.
    assert "فاطمة" in text and "الزهراء" in text
