"""The distinct HTML pages the live server serves during the browser journeys, kept for the page checks
(tests/e2e/test_page_checks.py: axe-core and the Nu HTML checker).

`recording(app)` wraps the live server's WSGI application. A page is one URL pattern (its name and route,
without the query), one method and one status: the first response of each is kept, so every distinct page is
checked once however often the journeys pass by it. A form shown again with its errors (POST, 200) is a page of
its own, and so is a state of a page that a journey names with the `X-Page-State` request header (`page_state`:
the course page of a learner who has completed, say, which the first visit to it could not show). Only what
Chromium asks for as a document counts (Sec-Fetch-Dest): htmx fragments are checked as part of
the pages that render them whole (an entry page with its answers), not alone.
"""

import threading
from dataclasses import dataclass

from django.core.handlers.wsgi import get_path_info
from django.urls import Resolver404, resolve


@dataclass(frozen=True)
class RecordedPage:
    name: str  # the URL name ("cases:case_detail"), or "(no URL pattern)" for a 404 outside every pattern
    route: str  # the matched route, e.g. "<slug:institution_slug>/cases/<str:reference>/"
    method: str
    status: int
    url: str  # path and query as the browser asked for it, to replay at the same address
    html: str
    state: str = ""  # the journey's name for this state of the page (X-Page-State), if it gave one

    @property
    def label(self) -> str:
        state = f" ({self.state})" if self.state else ""
        return f"{self.name} [{self.method} {self.status}]{state} {self.url}"


PAGES: dict[tuple[str, str, str, int, str], RecordedPage] = {}
STATE_HEADER = "X-Page-State"


def page_state(page, state: str) -> None:
    """Name the state of the pages `page` loads next, so each is checked as a page of its own ("" to stop)."""
    page.set_extra_http_headers({STATE_HEADER: state} if state else {})


_lock = threading.Lock()


def _pattern(path: str) -> tuple[str, str]:
    try:
        match = resolve(path)
    except Resolver404:
        return "(no URL pattern)", ""
    return match.view_name, match.route


def recording(app):
    """A WSGI middleware keeping the first response of every distinct page in PAGES."""

    def middleware(environ, start_response):
        method = environ["REQUEST_METHOD"]
        # Only what the browser loads as a page: not an htmx fragment, nor the /favicon.ico it asks for by itself.
        if method not in ("GET", "POST") or environ.get("HTTP_SEC_FETCH_DEST") != "document":
            return app(environ, start_response)
        seen = {}

        def capture(status, headers, exc_info=None):
            seen["status"] = int(status.split()[0])
            seen["type"] = {k.lower(): v for k, v in headers}.get("content-type", "")
            return start_response(status, headers, exc_info)

        result = app(environ, capture)
        # Django has called start_response by the time it returns; a file download streams on, unbuffered, and a
        # redirect (text/html by Django's default, with no body) is no page.
        if not seen.get("type", "").startswith("text/html") or 300 <= seen["status"] < 400:
            return result
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        path = get_path_info(environ)
        name, route = _pattern(path)
        state = environ.get("HTTP_" + STATE_HEADER.upper().replace("-", "_"), "")
        key = (name, route, method, seen["status"], state)
        query = environ.get("QUERY_STRING")
        url = path + (f"?{query}" if query else "")
        with _lock:
            if key not in PAGES:
                html = body.decode("utf-8", "replace")
                PAGES[key] = RecordedPage(name, route, method, seen["status"], url, html, state)
        return [body]

    return middleware
