import datetime

from django import template
from django.utils import dateformat, timezone
from django.utils.html import format_html

from r2dr import languages

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


# One way to write a moment on every page: day, short month, year, 24-hour time and the zone it is in, e.g.
# "1 Dec 2026, 15:04 WIB" (month names in the page's language). Institution pages show the institution's zone
# (r2dr.permissions activates it), regional pages UTC: the label says which.
DATETIME_FORMAT = "j M Y, H:i"
DATE_FORMAT = "j M Y"


def zone_label(moment) -> str:
    """The zone's abbreviation ("WIB", "UTC"), or for zones that have none ("+0630") the offset: "UTC+06:30"."""
    name = moment.tzname() or ""
    if not name.startswith(("+", "-")):
        return name
    hours, minutes = name[:3], name[3:5]
    return f"UTC{hours}:{minutes}" if minutes.strip("0") else f"UTC{hours}"


@register.filter
def when(value):
    """A datetime as `<time>` in the active time zone, labelled with that zone; '—' when there is none."""
    if not value:
        return "—"
    if not isinstance(value, datetime.datetime):
        return day(value)
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    text = f"{dateformat.format(local, DATETIME_FORMAT)} {zone_label(local)}".strip()
    return format_html('<time datetime="{}">{}</time>', local.isoformat(timespec="minutes"), text)


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
