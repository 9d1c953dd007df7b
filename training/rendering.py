"""Lesson Markdown to safe HTML: markdown-it (CommonMark and tables), then nh3 with an allow-list. Raw HTML in a
lesson is escaped, not rendered; images load only from /static/training/ (nothing from another host, GUIDE §3);
links get rel="noopener noreferrer"; a blockquote that opens with **Note:** or **Example:** is a call-out."""

from __future__ import annotations

import re

import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

TAGS = {
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "p",
    "br",
    "hr",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "a",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "blockquote": {"class"},
}
IMAGE_ROOT = "/static/training/"
CALLOUT = re.compile(r"<blockquote>\s*<p><strong>(Note|Example):</strong>")
CALLOUT_LABELS = {"Note": gettext_lazy("Note"), "Example": gettext_lazy("Example")}
# An image whose address was refused (not under IMAGE_ROOT) keeps only its description, never an empty <img>.
REFUSED_IMAGE = re.compile(r'<img(?![^>]*\ssrc=)[^>]*?(?:\salt="([^"]*)")?[^>]*>')


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and not (value.startswith(IMAGE_ROOT) and ".." not in value):
        return None
    if (
        tag == "blockquote"
        and attribute == "class"
        and value not in ("callout callout-note", "callout callout-example")
    ):
        return None
    return value


def markdown_html(text: str) -> SafeString:
    """Sanitised HTML of a lesson's Markdown. Headings start at h2 (the page's h1 is the lesson title)."""
    html = _markdown.render(text or "")
    html = re.sub(r"<(/?)h1>", r"<\1h2>", html)
    # The call-out's label in the reader's language (lesson files, translated or not, write it in English).
    html = CALLOUT.sub(
        lambda m: (
            f'<blockquote class="callout callout-{m.group(1).lower()}">'
            f"<p><strong>{escape(CALLOUT_LABELS[m.group(1)])}:</strong>"
        ),
        html,
    )
    clean = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes={"https", "http", "mailto"},
        link_rel="noopener noreferrer",
    )
    clean = REFUSED_IMAGE.sub(lambda m: f"[{m.group(1)}]" if m.group(1) else "", clean)
    return mark_safe(clean)  # noqa: S308 - nh3's output, allow-listed above
