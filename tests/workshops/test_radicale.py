"""The invitations in a real CalDAV server nobody here wrote: Radicale, started on a loopback port with its storage
in a temporary folder and no authentication, driven with the `caldav` client as a calendar application does
with invitations it receives: a REQUEST is stored under its UID (replacing what that UID held, METHOD left out
as RFC 4791 requires), a CANCEL of the UID deletes it. After book → reschedule → cancel the calendar holds 1
event, then 1 event at the new time, then none: never 2."""

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import caldav
import pytest
from django.core import mail
from icalendar import Calendar

from r2dr.roles import Role
from tests.workshops.helpers import availability, book, soon
from training.workshops.services.booking import booking_cancel, booking_reschedule

pytestmark = pytest.mark.django_db


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def radicale(tmp_path):
    """The address of a Radicale server of our own, stopped after the test."""
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
        [
            sys.executable,
            "-m",
            "radicale",
            "--server-hosts",
            f"127.0.0.1:{port}",
            "--storage-filesystem-folder",
            str(tmp_path / "collections"),
            "--auth-type",
            "none",
            "--logging-level",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 (loopback)
            break
        except urllib.error.HTTPError:
            break  # answering
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail("Radicale did not start", pytrace=False)
            time.sleep(0.1)
    yield url
    server.terminate()
    server.wait(timeout=10)


def _received(calendar: caldav.Calendar, ics: bytes) -> None:
    """What a calendar application does with an invitation: store a REQUEST by its UID, delete on a CANCEL."""
    parsed = Calendar.from_ical(ics)
    method = str(parsed.pop("method"))
    [event] = parsed.walk("VEVENT")
    if method == "CANCEL":
        assert str(event["status"]) == "CANCELLED"
        calendar.event_by_uid(str(event["uid"])).delete()
    else:
        assert method == "REQUEST"
        calendar.add_event(parsed.to_ical().decode(), increase_seqno=False)  # stored verbatim, by its UID


def _stored(calendar: caldav.Calendar) -> list:
    return [Calendar.from_ical(found.data).walk("VEVENT")[0] for found in calendar.events()]


def test_book_reschedule_cancel_leaves_one_then_one_moved_then_no_event(
    radicale, institution_a, make_member, django_capture_on_commit_callbacks
):
    client = caldav.DAVClient(
        url=radicale, username="attendee", password="any", require_tls=False, enable_rfc6764=False
    )
    calendar = client.principal().make_calendar(name="Workshops")
    admin = make_member(institution_a, Role.INSTITUTION_ADMIN, email="admin@a.example")
    start, later = soon(days=3), soon(days=4)
    offered = availability(slots=[start, later], zone="Australia/Sydney")

    def invitation() -> bytes:
        """The .ics attached to the latest invitation e-mailed to the admin."""
        [*_earlier, latest] = [m for m in mail.outbox if admin.email in m.to and m.attachments]
        [(_name, ics, _type)] = latest.attachments
        return ics

    with django_capture_on_commit_callbacks(execute=True):
        booking = book(institution_a, admin, offered, start)
    _received(calendar, invitation())
    [event] = _stored(calendar)
    assert str(event["uid"]) == booking.uid and event.decoded("dtstart") == start

    with django_capture_on_commit_callbacks(execute=True):
        booking = booking_reschedule(booking=booking, by=offered.facilitator, starts_at=later, reason="Clash")
    _received(calendar, invitation())
    [event] = _stored(calendar)  # replaced, not added: one event, at the new time
    assert str(event["uid"]) == booking.uid and event.decoded("dtstart") == later and int(event["sequence"]) == 1

    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking=booking, by=admin, reason="No longer needed")
    _received(calendar, invitation())
    assert _stored(calendar) == []
