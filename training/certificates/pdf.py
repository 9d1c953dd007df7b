"""The certificate and module PDFs (WeasyPrint, Noto fonts through fontconfig).

Nothing is fetched: the only URLs a document may load are `data:` ones (the QR code), so a name or a lesson
cannot make the renderer reach the network."""

from __future__ import annotations

import base64
import io
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

RTL_LANGUAGES = {"ar", "fa", "he", "ur"}


def _fetcher():
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False, timeout=2)


def qr_data_uri(text: str) -> str:
    """A QR code of `text` as an SVG data URI (error correction M, a quiet zone of four modules)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=4)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def pdf_render(template: str, context: dict[str, Any], *, language: str) -> bytes:
    """Render `template` (HTML with its own <style>) to PDF bytes in `language`."""
    import weasyprint

    with translation.override(language):
        html = render_to_string(
            template, {**context, "language": language, "direction": "rtl" if language in RTL_LANGUAGES else "ltr"}
        )
    return weasyprint.HTML(string=html, base_url="data:,", url_fetcher=_fetcher()).write_pdf()
