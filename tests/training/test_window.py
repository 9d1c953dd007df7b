"""The window rule, over every zone the demo institutions use: an answer sent at 23:59:59 on the cohort's last day
(in the cohort's zone) is accepted, one at 00:00:00 the next day refused, whatever zone the learner is in; and
the closing moment the learner reads, in their own zone, is that same instant."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from r2dr.demo import INSTITUTIONS
from r2dr.moments import moment_text
from tests.factories import InstitutionFactory, UserFactory
from tests.training.helpers import enrol, fixture_course
from training.models import Cohort, Module
from training.services import progress
from training.services.errors import TrainingRefused

ZONES = sorted({row[-1] for row in INSTITUTIONS})


def test_the_seeded_zones_span_the_region():
    offsets = {zoneinfo.ZoneInfo(z).utcoffset(datetime.datetime(2026, 1, 15)) for z in ZONES}
    hours = {o.total_seconds() / 3600 for o in offsets}
    assert {5.5, 5.75, 6.5, 13.0} <= hours and min(hours) <= 3
    assert {"Australia/Sydney", "Pacific/Auckland"} <= set(ZONES)


@pytest.mark.django_db
class TestWindow(TestCase):
    @given(
        cohort_zone=st.sampled_from(ZONES),
        learner_zone=st.sampled_from(ZONES),
        last_day=st.dates(min_value=datetime.date(2024, 1, 1), max_value=datetime.date(2030, 12, 31)),
        length=st.integers(min_value=0, max_value=40),
    )
    def test_last_second_accepted_first_second_after_refused(self, cohort_zone, learner_zone, last_day, length):
        institution = InstitutionFactory(slug="window", time_zone=learner_zone)
        cohort = Cohort.objects.create(
            course=fixture_course(),
            title="Window",
            time_zone=cohort_zone,
            starts_on=last_day - datetime.timedelta(days=length),
            ends_on=last_day,
        )
        zone = zoneinfo.ZoneInfo(cohort_zone)
        last_second = datetime.datetime.combine(last_day, datetime.time(23, 59, 59), tzinfo=zone)
        next_midnight = datetime.datetime.combine(
            last_day + datetime.timedelta(days=1), datetime.time(0, 0), tzinfo=zone
        )
        module = Module.objects.get(course=cohort.course, number=1)
        opened = datetime.datetime.combine(cohort.starts_on, datetime.time(0, 0), tzinfo=zone)
        accepted = enrol(cohort, institution, UserFactory(username="on-time@window.example"))
        attempt = progress.attempt_start(enrolment=accepted, module=module, at=opened)
        assert progress.attempt_submit(attempt=attempt, answers={}, at=last_second).submitted_at == last_second
        late = enrol(cohort, institution, UserFactory(username="late@window.example"))
        attempt = progress.attempt_start(enrolment=late, module=module, at=last_second)
        with pytest.raises(TrainingRefused):
            progress.attempt_submit(attempt=attempt, answers={}, at=next_midnight)
        # What the learner reads as the closing moment, in their own zone, is that midnight.
        with timezone.override(zoneinfo.ZoneInfo(learner_zone)):
            shown = moment_text(cohort.closes_at)
            assert shown == moment_text(next_midnight.astimezone(zoneinfo.ZoneInfo("UTC")))
        assert cohort.closes_at == next_midnight
