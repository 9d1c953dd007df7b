"""The institution's time zone is chosen from the zone list (issue 11, "Institution admins and accounts")."""

import importlib
import re
import zoneinfo

import pytest

from r2dr.models import Institution
from r2dr.roles import Role

pytestmark = pytest.mark.django_db


def _settings_data(**overrides):
    data = {"short_name": "IA", "languages": ["en"], "time_zone": "Asia/Jakarta", "contact_email": "", "website": ""}
    data.update(overrides)
    return data


def test_the_time_zone_is_a_choice_from_the_zone_list(member_client, institution_a):
    client = member_client(institution_a, Role.INSTITUTION_ADMIN)
    url = f"/{institution_a.slug}/settings/"
    body = client.get(url).content.decode()
    select = re.search(r'<select name="time_zone"[^>]*>(.*?)</select>', body, re.S)
    assert select, "the time zone must be chosen from a list, not typed"
    options = re.findall(r'<option value="([^"]+)"', select.group(1))
    assert {"UTC", "Asia/Jakarta", "Asia/Bangkok", "Pacific/Auckland", "Asia/Kathmandu"} <= set(options)
    assert '<option value="Asia/Bangkok" selected>' in select.group(1), "the saved zone is the one selected"
    assert '<optgroup label="Asia">' in select.group(1)

    assert client.post(url, _settings_data(time_zone="Asia/Jakarta")).status_code == 302
    institution_a.refresh_from_db()
    assert institution_a.time_zone == "Asia/Jakarta"

    response = client.post(url, _settings_data(time_zone="Jakarta time", contact_email="focal@a.example"))
    assert response.status_code == 200 and "Unknown time zone" in response.content.decode()
    assert 'value="focal@a.example"' in response.content.decode()
    institution_a.refresh_from_db()
    assert institution_a.time_zone == "Asia/Jakarta"


def test_a_valid_zone_saved_before_the_list_stays_as_it_was(member_client, institution_a):
    Institution.objects.filter(pk=institution_a.pk).update(time_zone="US/Eastern")
    client = member_client(institution_a, Role.INSTITUTION_ADMIN)
    url = f"/{institution_a.slug}/settings/"
    assert '<option value="US/Eastern" selected>' in client.get(url).content.decode()
    assert client.post(url, _settings_data(time_zone="US/Eastern")).status_code == 302
    institution_a.refresh_from_db()
    assert institution_a.time_zone == "US/Eastern"


def test_free_text_zones_are_migrated_to_the_zone_they_name_or_utc():
    migration = importlib.import_module("r2dr.migrations.0007_institution_time_zone_from_the_list")
    known = {zone.lower(): zone for zone in zoneinfo.available_timezones()}
    assert migration._zone_for("Asia/Bangkok", known) == "Asia/Bangkok"
    assert migration._zone_for(" asia/jakarta ", known) == "Asia/Jakarta"
    assert migration._zone_for("Asia/Ho Chi Minh", known) == "Asia/Ho_Chi_Minh"
    assert migration._zone_for("Jakarta time", known) == "UTC"
    assert migration._zone_for("", known) == "UTC"
