"""`|in_zone:"Australia/Sydney"`: a moment as a reader in that zone reads it, named by the zone, as `<time>`."""

import datetime
import zoneinfo

from django import template
from django.utils import timezone
from django.utils.html import format_html

from r2dr.moments import moment_text

register = template.Library()


@register.filter
def in_zone(value, zone_name):
    if not isinstance(value, datetime.datetime):
        return "—"
    try:
        zone = zoneinfo.ZoneInfo(zone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        zone = zoneinfo.ZoneInfo("UTC")
        zone_name = "UTC"
    local = timezone.localtime(value, zone)
    with timezone.override(zone):
        text = moment_text(local)
    return format_html(
        '<time datetime="{}">{}</time> <span class="small">({})</span>',
        local.isoformat(timespec="minutes"),
        text,
        zone_name,
    )
