"""Records of held workshops: the facilitator records attendance, a shared and a private note and follow-up
actions without JavaScript; the institution reads the shared note and the actions, never the private note nor
another institution's record; an overdue action is reminded once."""

import datetime

import pytest
from django.utils import timezone

from r2dr.models import AuditEntry, Notification
from r2dr.roles import Role
from tests.workshops.helpers import availability, book, facilitator, programme_round, soon
from training.workshops.models import Booking, FollowUpAction, SessionRecord
from training.workshops.services.sessions import (
    SessionRefused,
    follow_up_add,
    follow_ups_remind_overdue,
    session_record_save,
)

pytestmark = pytest.mark.django_db

PRIVATE = "Their director seemed reluctant"
SHARED = "We went through the indicator sheet"


def held(institution, booker, offered=None, days=3):
    """A booking moved `days` days into the past (booking itself refuses the past), as if it took place then."""
    start = soon(days=days)
    offered = offered or availability(slots=[start])
    booking = book(institution, booker, offered, start)
    past = timezone.now().replace(minute=0, second=0, microsecond=0) - datetime.timedelta(days=days)
    Booking.objects.for_institution(institution).filter(pk=booking.pk).update(
        starts_at=past, ends_at=past + datetime.timedelta(hours=1)
    )
    booking.refresh_from_db()
    return booking


def test_the_facilitator_records_a_session_and_the_institution_reads_only_the_shared_part(
    client, institution_a, make_member
):
    admin = make_member(institution_a, Role.INSTITUTION_ADMIN, email="admin@a.example")
    booking = held(institution_a, admin)
    fran = facilitator()
    client.force_login(fran)
    url = f"/training/workshops/bookings/{booking.pk}/session/"
    page = client.get(url).content.decode()
    assert "admin@a.example" in page  # the institution's members to tick
    response = client.post(
        url,
        {
            "action": "record",
            "attendees": [admin.pk],
            "other_attendees": 2,
            "shared_note": SHARED,
            "private_note": PRIVATE,
        },
    )
    assert response.status_code == 302
    due = timezone.now().date() + datetime.timedelta(days=7)
    client.post(url, {"action": "follow_up", "what": "Send the draft report", "who": "Komnas data team", "due_on": due})
    record = SessionRecord.objects.for_institution(institution_a).get(booking=booking)
    assert list(record.attendees.all()) == [admin] and record.other_attendees == 2
    assert record.actions.get().what == "Send the draft report"
    assert PRIVATE in client.get(f"/training/workshops/bookings/{booking.pk}/").content.decode()

    client.force_login(admin)
    page = client.get(f"/{institution_a.slug}/training/workshops/{booking.pk}/").content.decode()
    assert SHARED in page and "Send the draft report" in page
    assert PRIVATE not in page
    entries = AuditEntry.objects.for_institution(institution_a).filter(object_type="workshop_session")
    assert set(entries.values_list("action", flat=True)) == {"workshop.session_recorded", "workshop.follow_up_added"}
    assert not any(
        PRIVATE in str(detail) or SHARED in str(detail) for detail in entries.values_list("detail", flat=True)
    )


def test_another_institution_never_sees_the_record(client, institution_a, institution_b, make_member):
    admin_a = make_member(institution_a, Role.INSTITUTION_ADMIN, email="admin@a.example")
    booking = held(institution_a, admin_a)
    session_record_save(
        booking=booking, by=facilitator(), attendee_ids=[], other_attendees=1, shared_note=SHARED, private_note=""
    )
    client.force_login(make_member(institution_b, Role.INSTITUTION_ADMIN, email="admin@b.example"))
    assert client.get(f"/{institution_b.slug}/training/workshops/{booking.pk}/").status_code == 404
    assert SHARED not in client.get(f"/{institution_b.slug}/training/workshops/").content.decode()


def test_only_a_held_workshop_is_recorded_and_only_with_its_institutions_members(
    institution_a, institution_b, make_member
):
    admin_a = make_member(institution_a, Role.INSTITUTION_ADMIN, email="admin@a.example")
    stranger = make_member(institution_b, Role.INSTITUTION_ADMIN, email="admin@b.example")
    start = soon(days=3)
    upcoming = book(institution_a, admin_a, availability(slots=[start]), start)
    with pytest.raises(SessionRefused):
        session_record_save(
            booking=upcoming, by=None, attendee_ids=[], other_attendees=0, shared_note="", private_note=""
        )
    past = held(institution_a, admin_a, days=4)
    with pytest.raises(SessionRefused):
        session_record_save(
            booking=past, by=None, attendee_ids=[stranger.pk], other_attendees=0, shared_note="", private_note=""
        )
    assert not SessionRecord.objects.for_institution(institution_a).exists()


def test_an_overdue_action_is_reminded_once_to_the_institutions_bookers(
    institution_a, make_member, django_capture_on_commit_callbacks
):
    admin = make_member(institution_a, Role.INSTITUTION_ADMIN, email="admin@a.example")
    booking = held(institution_a, admin)
    record = session_record_save(
        booking=booking, by=None, attendee_ids=[admin.pk], other_attendees=0, shared_note="", private_note=""
    )
    today = timezone.now().date()
    follow_up_add(record=record, by=None, what="Overdue", who="Data team", due_on=today - datetime.timedelta(days=1))
    follow_up_add(record=record, by=None, what="Later", who="Data team", due_on=today + datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert follow_ups_remind_overdue() == 1
        assert follow_ups_remind_overdue() == 0
    notification = Notification.objects.for_institution(institution_a).get(kind="workshops.follow_up_overdue")
    assert notification.recipient == admin and notification.link.endswith(f"/training/workshops/{booking.pk}/")
    assert FollowUpAction.objects.for_institution(institution_a).get(what="Later").reminded_at is None


def test_the_reminder_runs_daily_on_beat():
    from r2dr.celery import app
    from training.workshops.schedule import FOLLOW_UPS_SCHEDULE_NAME

    entry = app.conf.beat_schedule[FOLLOW_UPS_SCHEDULE_NAME]
    assert entry["task"] == "training.workshops.schedule.workshops_follow_ups_remind"
    assert entry["task"] in app.tasks


def test_the_programme_report_counts_workshops_held_per_institution_and_topic(
    client, institution_a, institution_b, make_member
):
    import csv
    import io

    admin_a = make_member(institution_a, Role.INSTITUTION_ADMIN, email="admin@a.example")
    admin_b = make_member(institution_b, Role.INSTITUTION_ADMIN, email="admin@b.example")
    fran = facilitator()
    offered = availability(
        by=fran, round_=programme_round(quota=5), slots=[soon(days=3), soon(days=4), soon(days=5), soon(days=6)]
    )
    first = held(institution_a, admin_a, offered, days=3)
    held(institution_a, admin_a, offered, days=4)
    held(institution_b, admin_b, offered, days=5)
    book(institution_a, admin_a, offered, soon(days=6))  # upcoming: not held
    session_record_save(
        booking=first, by=fran, attendee_ids=[admin_a.pk], other_attendees=3, shared_note="", private_note=""
    )
    institution_b.name = "=HYPERLINK(1)"  # a spreadsheet must not run it
    institution_b.save()
    client.force_login(admin_a)
    assert client.get("/training/workshops/report/sessions.csv").status_code in (302, 403, 404)
    client.force_login(fran)
    response = client.get("/training/workshops/report/sessions.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Institution", "Topic", "Workshops held", "Workshops recorded", "Attendance"]
    by_institution = {row[0]: row[1:] for row in rows[1:]}
    assert by_institution[institution_a.name] == ["Using the platform", "2", "1", "4"]
    assert by_institution["'=HYPERLINK(1)"] == ["Using the platform", "1", "0", "0"]


def test_a_held_workshop_offers_its_record_not_a_new_time(client, institution_a, make_member):
    admin = make_member(institution_a, Role.INSTITUTION_ADMIN, email="admin@a.example")
    booking = held(institution_a, admin)
    client.force_login(admin)
    page = client.get(f"/{institution_a.slug}/training/workshops/{booking.pk}/").content.decode()
    assert "Move the workshop" not in page and "Cancel the workshop" not in page
    client.force_login(facilitator())
    page = client.get(f"/training/workshops/bookings/{booking.pk}/").content.decode()
    assert f'href="/training/workshops/bookings/{booking.pk}/session/"' in page and "Move the workshop" not in page
