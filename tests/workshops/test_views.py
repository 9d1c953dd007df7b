"""The workshop pages, without JavaScript: a facilitator publishes availability, an institution admin books,
moves and cancels; each side sees what it should, and only that."""

import datetime
import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from r2dr.roles import Role
from tests.workshops.helpers import availability, book, facilitator, programme_round, soon
from training.workshops.models import Availability, Booking, BookingStatus

pytestmark = pytest.mark.django_db


def key(moment):
    return moment.strftime("%Y-%m-%dT%H:%MZ")


def other_institutions_bookings_listed(client, institution_a, institution_b, make_member) -> bool:
    """Whether A's admin's workshop page lists a booking of B's (whose booker is named Zarathustra)."""
    start, other = soon(days=3), soon(days=4)
    offered = availability(slots=[start, other])
    booker_b = make_member(institution_b, Role.INSTITUTION_ADMIN, email="zarathustra@b.example")
    booker_b.first_name = "Zarathustra"
    booker_b.save()
    book(institution_b, booker_b, offered, start)
    admin_a = make_member(institution_a, Role.INSTITUTION_ADMIN, email="own@a.example")
    book(institution_a, admin_a, offered, other)
    client.force_login(admin_a)
    page = client.get(f"/{institution_a.slug}/training/workshops/").content.decode()
    assert "own@a.example" in page
    return "Zarathustra" in page


def test_an_institution_sees_only_its_own_bookings(client, institution_a, institution_b, make_member):
    assert not other_institutions_bookings_listed(client, institution_a, institution_b, make_member)


def test_an_admin_books_moves_and_cancels_without_javascript(
    client, institution_a, make_member, django_capture_on_commit_callbacks
):
    admin = make_member(institution_a, Role.INSTITUTION_ADMIN, email="admin@a.example")
    start, later = soon(days=3), soon(days=4)
    offered = availability(slots=[start, later], zone="Australia/Sydney")
    client.force_login(admin)
    home = client.get(f"/{institution_a.slug}/training/workshops/").content.decode()
    book_url = f"/{institution_a.slug}/training/workshops/book/?availability={offered.pk}&amp;start={key(start)}"
    assert book_url in home and "(Asia/Bangkok)" in home and "(Australia/Sydney)" in home
    page = client.get(book_url.replace("&amp;", "&")).content.decode()
    assert "Case files and the names of defenders do not belong here." in page
    body = {"availability": offered.pk, "start": key(start), "topic": "report_writing", "language": "th"}
    refused = client.post(f"/{institution_a.slug}/training/workshops/book/", {**body, "description": ""})
    assert refused.status_code == 200 and not Booking.objects.for_institution(institution_a).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/{institution_a.slug}/training/workshops/book/", {**body, "description": "Annual report"}
        )
    booking = Booking.objects.for_institution(institution_a).get()
    assert response.status_code == 302 and response["Location"].endswith(f"/training/workshops/{booking.pk}/")
    assert booking.language == "th" and booking.topic == "report_writing" and booking.booked_by == admin
    assert len([m for m in mail.outbox if m.alternatives]) == 2
    page = client.get(response["Location"]).content.decode()
    assert "Annual report" in page and f'value="{key(later)}"' in page
    assert f'value="{key(start)}"' not in page  # its own time is no choice to move to
    ics = client.get(f"/{institution_a.slug}/training/workshops/{booking.pk}/invite.ics")
    assert ics["Content-Type"].startswith("text/calendar")
    assert str(Calendar.from_ical(ics.content).walk("VEVENT")[0]["uid"]) == booking.uid
    client.post(
        f"/{institution_a.slug}/training/workshops/{booking.pk}/reschedule/", {"start": key(later), "reason": "Clash"}
    )
    booking.refresh_from_db()
    assert booking.starts_at == later and booking.sequence == 1 and booking.change_reason == "Clash"
    client.post(f"/{institution_a.slug}/training/workshops/{booking.pk}/cancel/", {"reason": ""})
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED  # a cancellation needs a reason
    client.post(f"/{institution_a.slug}/training/workshops/{booking.pk}/cancel/", {"reason": "No longer needed"})
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and booking.sequence == 2


def test_trainees_and_data_officers_do_notbook(client, institution_a, make_member):
    for role in (Role.TRAINEE, Role.DATA_OFFICER):
        client.force_login(make_member(institution_a, role))
        assert client.get(f"/{institution_a.slug}/training/workshops/").status_code == 403


def test_a_facilitator_publishes_availability(client):
    fran = facilitator()
    client.force_login(fran)
    assert client.get("/training/workshops/facilitator/").status_code == 200
    client.post(
        "/training/workshops/facilitator/",
        {
            "action": "round",
            "title": "HRD 2027",
            "starts_on": "2027-01-01",
            "ends_on": "2027-12-31",
            "workshop_quota": 2,
        },
    )
    from training.workshops.models import ProgrammeRound

    programme = ProgrammeRound.objects.get(title="HRD 2027")
    response = client.post(
        "/training/workshops/facilitator/",
        {
            "action": "availability",
            "title": "One-on-one",
            "programme_round": programme.pk,
            "time_zone": "Australia/Sydney",
            "capacity": 1,
            "mode": "online",
            "meeting_link": "https://meet.example/fran",
            "buffer_before_minutes": 0,
            "buffer_after_minutes": 15,
            "minimum_notice_hours": 24,
            "horizon_weeks": 8,
            "change_cutoff_hours": 24,
            "is_active": "on",
        },
    )
    offered = Availability.objects.get(facilitator=fran)
    url = f"/training/workshops/availability/{offered.pk}/"
    assert response["Location"] == url and offered.time_zone == "Australia/Sydney"
    client.post(url, {"action": "rule", "weekday": 1, "start": "09:00", "end": "12:00", "slot_minutes": 60})
    client.post(url, {"action": "slot", "day": "2027-04-04", "start": "02:30", "minutes": 60})
    client.post(url, {"action": "exception", "day": "2027-04-06"})
    rule = offered.weekly_rules.get()
    assert (rule.start, rule.end) == (datetime.time(9), datetime.time(12))
    # 02:30 on 4 April 2027 in Sydney comes twice (daylight saving time ends at 03:00): the first is meant.
    assert offered.one_off_slots.get().starts_at == datetime.datetime(2027, 4, 3, 15, 30, tzinfo=datetime.UTC)
    assert offered.exceptions.get().day == datetime.date(2027, 4, 6)
    client.post(url, {"action": "remove", "part": "rule", "part_id": rule.pk})
    assert not offered.weekly_rules.exists()
    # Another facilitator cannot open it.
    client.force_login(facilitator(email="other@apf.example"))
    assert client.get(url).status_code == 404
    assert programme_round  # the helper exists for the other tests


def test_the_facilitators_list_shows_every_institution_in_constant_queries(
    client, institution_a, institution_b, make_member, django_assert_max_num_queries
):
    fran = facilitator()
    starts = [soon(days=3) + datetime.timedelta(hours=2 * n) for n in range(12)]
    offered = availability(by=fran, slots=starts, round_=programme_round(quota=10))
    for n, start in enumerate(starts):
        institution = institution_a if n % 2 else institution_b
        book(institution, make_member(institution, Role.INSTITUTION_ADMIN, email=f"b{n}@x.example"), offered, start)
    client.force_login(fran)
    with django_assert_max_num_queries(12):
        page = client.get("/training/workshops/bookings/").content.decode()
    assert "Institution A" in page and "Institution B" in page

    def listed(query=""):
        page = client.get(f"/training/workshops/bookings/{query}").content.decode()
        return len(re.findall(r'href="/training/workshops/bookings/\d+/"', page))

    assert listed() == 12
    assert listed(f"?institution={institution_a.pk}") == 6
    assert listed("?topic=case_handling") == 0
    day = starts[0].date()
    assert listed(f"?since={day}&until={day}") == sum(1 for start in starts if start.date() == day)
    booking = Booking.objects.for_institution(institution_a).first()
    detail = client.get(f"/training/workshops/bookings/{booking.pk}/").content.decode()
    assert "Our data entry" in detail and "(Asia/Bangkok)" in detail and "(Europe/Copenhagen)" in detail


@pytest.mark.parametrize(
    ("language", "warning", "subject"),
    [
        ("th", "ห้ามใส่แฟ้มคดีและชื่อของนักปกป้องสิทธิมนุษยชนที่นี่", "เวิร์กช็อป: "),
        ("id", "Berkas kasus dan nama pembela HAM tidak boleh dicantumkan di sini.", "Lokakarya: "),
    ],
)
def test_members_read_the_booking_page_and_invitation_in_their_language(
    client, settings, institution_a, make_member, language, warning, subject
):
    institution_a.languages = [language, "en"]
    institution_a.save()
    admin = make_member(institution_a, Role.INSTITUTION_ADMIN)
    start = soon()
    offered = availability(slots=[start])
    client.force_login(admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(f"/{institution_a.slug}/training/workshops/book/?availability={offered.pk}&start={key(start)}")
    assert warning in page.content.decode()
    from training.workshops.invitations import booking_emails

    booking = book(institution_a, admin, offered, start, language=language)
    to_institution, to_facilitator = booking_emails(booking)
    assert to_institution.subject.startswith(subject) and to_facilitator.subject.startswith("Workshop: ")


def test_the_institutions_page_does_not_grow_in_queries_with_its_bookings(client, institution_a, make_member):
    admin = make_member(institution_a, Role.INSTITUTION_ADMIN)
    starts = [soon(days=3) + datetime.timedelta(hours=2 * n) for n in range(24)]
    offered = availability(slots=starts, round_=programme_round(quota=30))
    client.force_login(admin)
    counts = []
    for batch in (starts[:2], starts[2:20]):
        for start in batch:
            book(institution_a, admin, offered, start)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/{institution_a.slug}/training/workshops/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    print(f"\nthe institution's workshop page: {counts[1]} queries with 2 or 20 bookings")
