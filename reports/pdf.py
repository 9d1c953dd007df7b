"""PDF rendering with WeasyPrint, offline by construction.

The URL fetcher refuses every scheme but `data:` and `file:`, and `file:` only
under the project's static files and the system font directories, so a report
can never make a network request (an address in a name or narrative cannot
become an image fetch that tells a third party who reads the report).
Fonts come from the Debian Noto packages through fontconfig.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

FONT_DIRS = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts")]
# The families of the print stylesheet, one per script, all from fonts-noto-core / fonts-noto-cjk.
REQUIRED_FONT_FAMILIES = [
    "Noto Sans",
    "Noto Sans Thai",
    "Noto Sans Devanagari",
    "Noto Sans Mongolian",
    "Noto Sans Khmer",
    "Noto Sans Myanmar",
    "Noto Naskh Arabic",
    "Noto Sans CJK SC",
]


class OfflineURLFetchError(ValueError):
    pass


def allowed_roots() -> list[Path]:
    roots = [Path(settings.BASE_DIR) / "static", Path(__file__).resolve().parent / "static", *FONT_DIRS]
    return [r.resolve() for r in roots]


def _make_fetcher():
    from weasyprint.urls import URLFetcher

    class OfflineURLFetcher(URLFetcher):
        """Only local files under allowed roots, and data: URIs; never the network."""

        def __init__(self):
            super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False, timeout=2)

        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower()
            if scheme == "file":
                path = Path(unquote(urlsplit(url).path)).resolve()
                if not any(path.is_relative_to(root) for root in allowed_roots()):
                    raise OfflineURLFetchError(f"refused local file outside allowed roots: {path}")
            elif scheme != "data":
                raise OfflineURLFetchError(f"refused non-local URL: {url[:80]}")
            return super().fetch(url, headers)

    return OfflineURLFetcher()


def render_pdf(template: str, context: dict) -> tuple[bytes, int]:
    """Render a template to PDF bytes; returns (pdf, page count)."""
    import weasyprint

    html = render_to_string(template, context)
    css_text = render_to_string("reports/pdf/print.css", context)
    fetcher = _make_fetcher()
    base = (Path(settings.BASE_DIR) / "static").as_uri() + "/"
    document = weasyprint.HTML(string=html, base_url=base, url_fetcher=fetcher).render(
        stylesheets=[weasyprint.CSS(string=css_text, base_url=base, url_fetcher=fetcher)]
    )
    return document.write_pdf(), len(document.pages)
