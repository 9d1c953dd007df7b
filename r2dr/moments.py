"""One way to write a moment everywhere a person reads one (pages, receipts, e-mails).

Day, short month, year, 24-hour time and the zone it is in, e.g. "1 Dec 2026, 15:04 WIB" (month names in the
active language). Institution pages show the institution's zone (r2dr.permissions activates it), regional pages
UTC: the label says which. The template filters `|when` and `|day` (r2dr/templatetags/r2dr.py) wrap these in
`<time>`.
"""

import datetime
import zoneinfo

from django.core.exceptions import ValidationError
from django.utils import dateformat, timezone
from django.utils.translation import gettext_lazy as _

DATETIME_FORMAT = "j M Y, H:i"
DATE_FORMAT = "j M Y"


def zone_label(moment) -> str:
    """The zone's abbreviation ("WIB", "UTC"), or for zones that have none ("+0630") the offset: "UTC+06:30"."""
    name = moment.tzname() or ""
    if not name.startswith(("+", "-")):
        return name
    hours, minutes = name[:3], name[3:5]
    return f"UTC{hours}:{minutes}" if minutes.strip("0") else f"UTC{hours}"


def moment_text(value: datetime.datetime) -> str:
    """`value` in the active time zone as text, labelled with that zone: "1 Dec 2026, 15:04 WIB"."""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{dateformat.format(local, DATETIME_FORMAT)} {zone_label(local)}".strip()


def validate_time_zone(value: str) -> None:
    """The one check of a time zone's name (institutions, cohorts, a person's own zone)."""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(_("Unknown time zone.")) from exc
