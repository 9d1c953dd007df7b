import datetime

from django import template
from django.utils import dateformat, timezone
from django.utils.html import format_html

from r2dr import languages
from r2dr.moments import DATE_FORMAT, moment_text

register = template.Library()


@register.filter
def tr(obj, field):
    """The active language's text of a translatable field (falls back to the source)."""
    if obj is None:
        return ""
    return obj.tr(field)


@register.simple_tag(takes_context=True)
def has_role(context, *roles):
    request = context["request"]
    institution = getattr(request, "institution", None)
    return request.access.has(institution, *roles) if institution else False


@register.filter
def when(value):
    """A datetime as `<time>` in the active time zone, labelled with that zone; '—' when there is none."""
    if not value:
        return "—"
    if not isinstance(value, datetime.datetime):
        return day(value)
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return format_html('<time datetime="{}">{}</time>', local.isoformat(timespec="minutes"), moment_text(local))


@register.filter
def day(value):
    """A date (or the date of a datetime, in the active zone) as `<time>`, e.g. "1 Dec 2026"."""
    if not value:
        return "—"
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), dateformat.format(value, DATE_FORMAT))


@register.simple_tag
def switcher_languages():
    """The languages the switcher offers, each by its own name (see r2dr.languages)."""
    return languages.switcher_languages()


@register.filter
def language_name(code):
    """A language by its own name ("ไทย"): how its readers find it in a list."""
    return languages.ENDONYMS.get(code, code)
