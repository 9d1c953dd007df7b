"""One instant, everywhere: for every seeded institution's zone, with a facilitator in Australia/Sydney (slots
drawn across its next change of daylight saving time) and one in Europe/Copenhagen (across its own), the booking
page, the booking's page, both e-mails and the `.ics` name the same instant to the minute.

Each rendering is read back as a person reads it: the wall-clock text and the zone it names (the abbreviation
decides which of two equal wall-clock times in the hour that repeats is meant), not the machine-readable
`datetime` attribute alone."""

import datetime
import itertools
import re
import zoneinfo

import pytest
from django.core import mail
from hypothesis import example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from icalendar import Calendar

from r2dr.demo import INSTITUTIONS
from r2dr.moments import zone_label
from r2dr.roles import Role
from tests.factories import InstitutionFactory, MembershipFactory, UserFactory, enrol_totp
from tests.workshops.helpers import availability, book, facilitator, programme_round
from training.workshops.invitations import booking_emails, booking_ics

pytestmark = pytest.mark.django_db

SEEDED_ZONES = sorted({row[-1] for row in INSTITUTIONS})
FACILITATOR_ZONES = ["Australia/Sydney", "Europe/Copenhagen"]
RUN = itertools.count()
# "Asia/Jakarta: 1 Dec 2026, 15:04 WIB" in e-mails; on pages the `<time>` text followed by "(Asia/Jakarta)".
EMAIL_MOMENT = re.compile(r"(?P<zone>[A-Za-z_/+-]+): (?P<text>\d{1,2} \w{3} \d{4}, \d{2}:\d{2}) (?P<label>\S+)")
PAGE_MOMENT = re.compile(
    r'<time datetime="(?P<attr>[^"]+)">(?P<text>\d{1,2} \w{3} \d{4}, \d{2}:\d{2}) (?P<label>[^<]+)</time>'
    r' <span class="small">\((?P<zone>[^)]+)\)</span>'
)


def next_transition(zone_name: str, after: datetime.datetime) -> datetime.datetime:
    """The first change of the zone's UTC offset after `after` (to the hour)."""
    zone = zoneinfo.ZoneInfo(zone_name)
    moment = after.replace(minute=0, second=0, microsecond=0)
    offset = moment.astimezone(zone).utcoffset()
    for _hour in range(24 * 366):
        moment += datetime.timedelta(hours=1)
        if moment.astimezone(zone).utcoffset() != offset:
            return moment
    raise AssertionError(f"{zone_name} has no transition within a year")


def instant_read(zone_name: str, text: str, label: str) -> datetime.datetime:
    """The instant a reader takes from a wall-clock text in a named zone, with its abbreviation."""
    zone = zoneinfo.ZoneInfo(zone_name)
    wall = datetime.datetime.strptime(text, "%d %b %Y, %H:%M")
    candidates = [wall.replace(tzinfo=zone, fold=fold) for fold in (0, 1)]  # a set would merge the two folds
    matching = [c for c in candidates if zone_label(c) == label.strip()]
    assert len({c.astimezone(datetime.UTC) for c in matching}) == 1, (zone_name, text, label)
    return matching[0].astimezone(datetime.UTC)


def page_moments(html: str, css_class: str) -> list[tuple[str, datetime.datetime]]:
    section = re.search(rf'<dd class="{css_class}">(.*?)</dd>', html, re.S)
    assert section, css_class
    found = []
    for match in PAGE_MOMENT.finditer(section.group(1)):
        instant = instant_read(match["zone"], match["text"], match["label"])
        assert datetime.datetime.fromisoformat(match["attr"]) == instant
        found.append((match["zone"], instant))
    return found


def email_moments(body: str) -> dict[str, datetime.datetime]:
    moments = {}
    for line in body.splitlines():
        if line.startswith(("Starts: ", "Also: ")):
            match = EMAIL_MOMENT.search(line.split(": ", 1)[1])
            assert match, line
            moments[match["zone"]] = instant_read(match["zone"], match["text"], match["label"])
    return moments


@pytest.mark.parametrize("facilitator_zone", FACILITATOR_ZONES)
def test_page_emails_and_ics_name_the_same_instant(client, facilitator_zone):
    now = datetime.datetime.now(datetime.UTC)
    transition = next_transition(facilitator_zone, now + datetime.timedelta(days=3))

    @hypothesis_settings(max_examples=6)
    @given(quarters=st.integers(min_value=-4 * 36, max_value=4 * 36))
    @example(quarters=-4)  # an hour before the change
    @example(quarters=0)  # at it: after a fall back, the wall-clock hour that comes twice
    @example(quarters=2)
    def check(quarters):
        run = next(RUN)
        start = transition + datetime.timedelta(minutes=15 * quarters)
        offered = availability(
            by=facilitator(email=f"tz{run}@apf.example"),
            round_=programme_round(quota=50),
            zone=facilitator_zone,
            slots=[start],
            horizon_weeks=52,
        )
        institution = InstitutionFactory(slug=f"tz-{run}", time_zone=SEEDED_ZONES[0])
        admin = UserFactory(username=f"admin{run}@tz.example")
        MembershipFactory(user=admin, institution=institution, role=Role.INSTITUTION_ADMIN)
        enrol_totp(admin)
        client.force_login(admin)
        key = start.strftime("%Y-%m-%dT%H:%MZ")
        choose = f"/{institution.slug}/training/workshops/book/?availability={offered.pk}&start={key}"
        pages_before = {}
        for zone in SEEDED_ZONES:
            institution.time_zone = zone
            institution.save(update_fields=["time_zone"])
            response = client.get(choose)
            assert response.status_code == 200, response
            pages_before[zone] = response.content.decode()
        booking = book(institution, admin, offered, start)
        event = Calendar.from_ical(booking_ics(booking)).walk("VEVENT")[0]
        ics_instant = event.decoded("dtstart").astimezone(datetime.UTC)
        assert ics_instant == start
        for zone in SEEDED_ZONES:
            institution.time_zone = zone
            institution.save(update_fields=["time_zone"])
            booking.institution.time_zone = zone
            detail = client.get(f"/{institution.slug}/training/workshops/{booking.pk}/").content.decode()
            for html in (pages_before[zone], detail):
                own = page_moments(html, "slot-own")
                assert own[0] == (zone, ics_instant)
                assert page_moments(html, "slot-other") == [(facilitator_zone, ics_instant)]
            mail.outbox.clear()
            to_institution, to_facilitator = booking_emails(booking)
            expected = {zone: ics_instant, facilitator_zone: ics_instant}
            assert email_moments(to_institution.body) == expected
            assert email_moments(to_facilitator.body) == expected
            attached = Calendar.from_ical(to_institution.attachments[0][1]).walk("VEVENT")[0]
            assert attached.decoded("dtstart").astimezone(datetime.UTC) == ics_instant

    check()
