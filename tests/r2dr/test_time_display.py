"""One way to show a moment on every page (issue 11): "1 Dec 2026, 15:04 WIB", the zone always named."""

import datetime
import zoneinfo

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

MOMENT = datetime.datetime(2026, 12, 1, 8, 4, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("zone", "shown"),
    [
        ("UTC", "1 Dec 2026, 08:04 UTC"),
        ("Asia/Jakarta", "1 Dec 2026, 15:04 WIB"),
        ("Asia/Bangkok", "1 Dec 2026, 15:04 UTC+07"),
        ("Asia/Yangon", "1 Dec 2026, 14:34 UTC+06:30"),
        ("Asia/Kathmandu", "1 Dec 2026, 13:49 UTC+05:45"),
    ],
)
def test_a_moment_is_written_one_way_and_names_its_zone(zone, shown):
    with timezone.override(zoneinfo.ZoneInfo(zone)), translation.override("en"):
        html = Template("{% load r2dr %}{{ m|when }}").render(Context({"m": MOMENT}))
    assert f">{shown}</time>" in html
    assert 'datetime="2026-12-01T' in html  # machine-readable, with its offset


def test_month_names_follow_the_page_language():
    with timezone.override(zoneinfo.ZoneInfo("Asia/Jakarta")), translation.override("id"):
        html = Template("{% load r2dr %}{{ m|when }} {{ d|day }}").render(
            Context({"m": MOMENT, "d": datetime.date(2026, 12, 1)})
        )
    assert "1 Des 2026, 15:04 WIB" in html and ">1 Des 2026</time>" in html


def test_nothing_is_a_dash():
    assert Template("{% load r2dr %}{{ m|when }}|{{ m|day }}").render(Context({"m": None})) == "—|—"


@pytest.mark.django_db
def test_an_institution_page_shows_its_own_zone_and_a_regional_page_utc(member_client, institution_a):
    from r2dr.roles import Role
    from reports.models import ReportKind, ReportRun

    institution_a.time_zone = "Asia/Jakarta"
    institution_a.save()
    national = ReportRun.objects.create(
        kind=ReportKind.NATIONAL, institution=institution_a, cycle_id=1, title="national", created_at=MOMENT
    )
    page = member_client(institution_a, Role.DATA_OFFICER).get(f"/{institution_a.slug}/reports/{national.pk}/")
    assert ">1 Dec 2026, 15:04 WIB</time>" in page.content.decode()

    regional = ReportRun.objects.create(kind=ReportKind.REGIONAL, title="regional", created_at=MOMENT)
    page = member_client(None, Role.REGIONAL_ADMIN).get(f"/regional/reports/{regional.pk}/")
    assert ">1 Dec 2026, 08:04 UTC</time>" in page.content.decode()
