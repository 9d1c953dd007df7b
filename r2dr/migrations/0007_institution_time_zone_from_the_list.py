"""Time zones were typed as free text: a valid one stays, a near miss ("asia/jakarta", "Asia/Ho Chi Minh") becomes
the zone it names, anything else becomes UTC, which is what pages already used for it (r2dr.permissions falls back
to the server's zone, UTC, when an institution's zone does not load)."""

import zoneinfo

from django.db import migrations


def _zone_for(value: str, known: dict[str, str]) -> str:
    text = (value or "").strip()
    try:
        zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return known.get(text.replace(" ", "_").lower(), "UTC")
    return text


def forwards(apps, schema_editor):
    Institution = apps.get_model("r2dr", "Institution")
    known = {zone.lower(): zone for zone in zoneinfo.available_timezones()}
    for institution in Institution.objects.only("pk", "time_zone"):
        zone = _zone_for(institution.time_zone, known)
        if zone != institution.time_zone:
            Institution.objects.filter(pk=institution.pk).update(time_zone=zone)


class Migration(migrations.Migration):
    dependencies = [("r2dr", "0006_notifications")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
