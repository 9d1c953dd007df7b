"""A person can choose their own time zone (issue 12: every learner sees dates in their own zone): then every page
shows their times in it, labelled, whichever institution's page it is, and their reminders come at 09:00 there."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from r2dr.models import UserSettings
from r2dr.roles import Role
from r2dr.tenancy import scopes_disabled
from reports.models import ReportKind, ReportRun
from tests.factories import UserFactory
from tests.training.helpers import enrol, open_cohort
from training.models import Enrolment
from training.services.reminders import reminders_send_due

pytestmark = pytest.mark.django_db

MOMENT = datetime.datetime(2026, 12, 1, 8, 4, tzinfo=datetime.UTC)


def test_a_chosen_zone_shows_on_institution_pages_until_it_is_cleared(client, institution_a, make_member):
    institution_a.time_zone = "Asia/Jakarta"
    institution_a.save()
    run = ReportRun.objects.create(
        kind=ReportKind.NATIONAL, institution=institution_a, cycle_id=1, title="national", created_at=MOMENT
    )
    user = make_member(institution_a, Role.DATA_OFFICER)
    client.force_login(user)
    page = f"/{institution_a.slug}/reports/{run.pk}/"
    assert ">1 Dec 2026, 15:04 WIB</time>" in client.get(page).content.decode()

    me = client.get("/me/").content.decode()
    assert '<label for="id_time_zone">My time zone' in me and "The institution&#x27;s time zone" in me
    client.post("/me/", {"time_zone": "Asia/Kathmandu"})
    assert ">1 Dec 2026, 13:49 UTC+05:45</time>" in client.get(page).content.decode()
    # Kept for the next sign-in, from any browser.
    client.logout()
    client.force_login(user)
    assert ">1 Dec 2026, 13:49 UTC+05:45</time>" in client.get(page).content.decode()

    client.post("/me/", {"time_zone": ""})
    assert ">1 Dec 2026, 15:04 WIB</time>" in client.get(page).content.decode()


def test_an_unknown_zone_is_refused_and_nothing_changes(client, institution_a, make_member):
    user = make_member(institution_a, Role.DATA_OFFICER)
    client.force_login(user)
    response = client.post("/me/", {"time_zone": "Mars/Olympus"})
    assert response.status_code == 200 and "Unknown time zone" in response.content.decode()
    assert not UserSettings.objects.filter(user=user).exists()


def test_reminders_come_at_nine_in_the_learners_own_zone(institution_a):
    institution_a.time_zone = "Asia/Jakarta"  # 09:00 there is 02:00 UTC
    institution_a.save()
    cohort = open_cohort(days_before=20, days_after=20)
    user = UserFactory()
    enrolment = enrol(cohort, institution_a, user)
    with scopes_disabled():
        Enrolment.objects.filter(pk=enrolment.pk).update(enrolled_at=timezone.now() - datetime.timedelta(days=10))
    UserSettings.objects.create(user=user, time_zone="Asia/Kathmandu")  # 09:00 there is 03:15 UTC
    day = timezone.now().date()
    nine_jakarta = datetime.datetime.combine(day, datetime.time(9, 5), tzinfo=zoneinfo.ZoneInfo("Asia/Jakarta"))
    nine_kathmandu = datetime.datetime.combine(day, datetime.time(9, 20), tzinfo=zoneinfo.ZoneInfo("Asia/Kathmandu"))
    assert reminders_send_due(now=nine_jakarta) == 0
    assert reminders_send_due(now=nine_kathmandu) == 1
