"""A closed case has no response clock: the inbox and the case page never say "29 days left" for it, the overdue
filter leaves it out and it is never escalated for a missed response target."""

import datetime

import pytest
from django.utils import timezone

from cases import services
from cases.models import Case, Status, Urgency
from tests.cases.helpers import CaseFactory, unlock_client

pytestmark = pytest.mark.django_db


def _closed_without_response(institution, **fields):
    # As imported or legacy rows are: closed, with no first response recorded.
    case = CaseFactory(institution=institution, names="Closed Defender")
    Case.objects.for_institution(institution).filter(pk=case.pk).update(
        status=Status.CLOSED, closed_at=timezone.now(), **fields
    )
    return case


def test_closed_case_shows_closed_not_days_left(client, institution_a, keyed, taxonomy):
    officer, _kit = keyed(institution_a)
    closed = _closed_without_response(institution_a)
    open_case = CaseFactory(institution=institution_a, names="Open Defender")
    client.force_login(officer)
    inbox = client.get(f"/{institution_a.slug}/cases/").content.decode()
    row = inbox[inbox.index(closed.reference) :][:2000].split("</tr>")[0]
    assert "closed" in row and "left" not in row
    assert "days left" in inbox[inbox.index(open_case.reference) :][:2000].split("</tr>")[0]
    unlock_client(client, institution_a)
    page = client.get(f"/{institution_a.slug}/cases/{closed.pk}/").content.decode()
    assert "days left" not in page and "overdue by" not in page


def test_closed_case_is_neither_overdue_nor_escalated(client, institution_a, keyed, taxonomy):
    officer, _kit = keyed(institution_a)
    long_ago = timezone.now() - datetime.timedelta(days=90)
    closed = _closed_without_response(institution_a, urgency=Urgency.URGENT, urgent=True, received_at=long_ago)
    waiting = CaseFactory(institution=institution_a, names="Waiting Defender")
    Case.objects.for_institution(institution_a).filter(pk=waiting.pk).update(
        urgency=Urgency.URGENT, urgent=True, received_at=long_ago
    )
    client.force_login(officer)
    overdue = client.get(f"/{institution_a.slug}/cases/?overdue=on").content.decode()
    assert waiting.reference in overdue and closed.reference not in overdue
    assert services.cases_escalate_overdue(institution=institution_a) == 1
    assert Case.objects.for_institution(institution_a).get(pk=closed.pk).escalated_at is None
