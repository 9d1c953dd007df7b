"""A workshop's life in the browser, with JavaScript on and off: an institution admin books a slot, the
facilitator moves it, the admin cancels it. Every change e-mails both sides an invitation whose `.ics` parts
(the `text/calendar` alternative and the attachment) keep one UID, raise SEQUENCE 0 → 1 → 2, and end as
METHOD:CANCEL with STATUS:CANCELLED, so a calendar shows one event, then the moved one, then none. Screenshots
of the pages at 360 and 1280 px go to test-artifacts/. On the way the admin subscribes to the institution's
calendar feed, whose secret address is shown once and serves the booking."""

import pytest
from django.core import mail
from icalendar import Calendar

from r2dr.roles import Role
from tests.e2e.conftest import PASSWORD, TOTP_SECRET, shot, staff_user
from tests.factories import InstitutionFactory
from tests.workshops.helpers import availability, soon
from training.workshops.models import Booking, BookingStatus

pytestmark = pytest.mark.django_db(transaction=True)


def key(moment):
    return moment.strftime("%Y-%m-%dT%H:%MZ")


def shots(page, name, record):
    """Screenshots at both widths (JavaScript on only); the narrow page never scrolls sideways."""
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        if record:
            shot(page, f"{name}-{width}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name} scrolls sideways at {width}"


def invitations(address):
    """The calendars of the invitation e-mails sent to `address` so far, in order: (alternative's method,
    alternative, attachment), the two parts of each parsed with icalendar."""
    found = []
    for message in mail.outbox:
        if address not in message.to or not message.alternatives:
            continue  # not an invitation (a notification e-mail, say)
        [(content, mimetype)] = message.alternatives
        [(filename, attached, _type)] = message.attachments
        assert filename == "invite.ics"
        found.append((mimetype.split("method=")[1], Calendar.from_ical(content), Calendar.from_ical(attached)))
    return found


def event_of(calendar):
    [event] = calendar.walk("VEVENT")
    return event


def _journey(page, live_server, e2e_login, browser, suffix):
    js = suffix == "js"
    institution = InstitutionFactory(
        slug=f"e2e-ws-{suffix}", name=f"E2E Workshop Commission {suffix}", short_name=f"EWC {suffix}"
    )
    admin = staff_user(f"ws-admin-{suffix}@e2e.example", institution, Role.INSTITUTION_ADMIN)
    fran = staff_user(f"ws-fran-{suffix}@apf.example", None, Role.FACILITATOR)
    start, later = soon(days=3), soon(days=5)
    availability(by=fran, slots=[start, later], zone="Australia/Sydney")
    base = live_server.url

    # The admin books the first slot.
    e2e_login(page, live_server, admin.email, PASSWORD, TOTP_SECRET)
    page.goto(f"{base}/{institution.slug}/training/workshops/")
    shots(page, "workshops-home", js)
    page.locator(f'a[href*="start={key(start)}"]').click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Book a workshop", level=1).is_visible()
    page.get_by_label("Topic").select_option("report_writing")
    page.get_by_label("What would you like to work on?").fill("Our annual report on defenders' situation")
    shots(page, "workshops-book", js)
    page.get_by_role("button", name="Book this slot").click()
    page.wait_for_load_state()
    booking = Booking.objects.for_institution(institution).get()
    assert booking.starts_at == start and booking.sequence == 0
    assert page.url.endswith(f"/training/workshops/{booking.pk}/")
    shots(page, "workshops-booking", js)

    # The admin subscribes to the institution's calendar feed: its address is shown once, and it parses.
    page.goto(f"{base}/{institution.slug}/training/workshops/")
    page.get_by_role("link", name="Calendar feed").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Create a feed").click()
    page.wait_for_load_state()
    shots(page, "workshops-feed", js)
    webcal = page.get_by_label("Address to subscribe to").input_value()
    assert webcal.startswith("webcal://") and "/training/workshops/calendar.ics?token=" in webcal
    feed = page.request.get(base + "/" + webcal.split("://", 1)[1].split("/", 1)[1])
    assert feed.status == 200
    assert [str(e["uid"]) for e in Calendar.from_ical(feed.body()).walk("VEVENT")] == [booking.uid]
    page.goto(f"{base}/{institution.slug}/training/workshops/{booking.pk}/")

    # The facilitator moves it, from the list of every institution's bookings.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=js)
    facilitator_page = context.new_page()
    e2e_login(facilitator_page, live_server, fran.email, PASSWORD, TOTP_SECRET)
    facilitator_page.goto(f"{base}/training/workshops/bookings/")
    shots(facilitator_page, "workshops-facilitator-bookings", js)
    facilitator_page.locator(f'a[href$="/training/workshops/bookings/{booking.pk}/"]').click()
    facilitator_page.wait_for_load_state()
    facilitator_page.locator(f'input[name=start][value="{key(later)}"]').check()
    facilitator_page.locator("#reason-move").fill("A clash with a mission")
    shots(facilitator_page, "workshops-facilitator-booking", js)
    facilitator_page.get_by_role("button", name="Move the workshop").click()
    facilitator_page.wait_for_load_state()
    assert "The workshop is moved; the institution is told." in facilitator_page.content()
    context.close()
    booking.refresh_from_db()
    assert booking.starts_at == later and booking.sequence == 1

    # The admin sees the new time and cancels.
    page.reload()
    assert "A clash with a mission" in page.content()
    page.locator("#reason-cancel").fill("No longer needed")
    page.get_by_role("button", name="Cancel the workshop").click()
    page.wait_for_load_state()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and booking.sequence == 2
    shots(page, "workshops-cancelled", js)

    for address in (admin.email, fran.email):
        sent = invitations(address)
        assert [method for method, _alternative, _attached in sent] == ["REQUEST", "REQUEST", "CANCEL"], address
        for (method, alternative, attached), sequence, moment in zip(sent, (0, 1, 2), (start, later, later)):
            for calendar in (alternative, attached):
                assert str(calendar["method"]) == method
                event = event_of(calendar)
                assert str(event["uid"]) == booking.uid
                assert int(event["sequence"]) == sequence
                assert event.decoded("dtstart") == moment
                assert str(event["status"]) == ("CANCELLED" if method == "CANCEL" else "CONFIRMED")
                assert str(event["summary"]) == f"Workshop: Report writing, EWC {suffix}"
                assert "annual report" not in calendar.to_ical().decode().lower()  # no description content


def test_a_workshop_is_booked_moved_and_cancelled(page, live_server, e2e_login, browser):
    _journey(page, live_server, e2e_login, browser, "js")


def test_a_workshop_is_booked_moved_and_cancelled_without_javascript(nojs_page, live_server, e2e_login, browser):
    _journey(nojs_page, live_server, e2e_login, browser, "nojs")
