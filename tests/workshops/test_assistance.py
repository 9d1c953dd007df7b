"""Technical-assistance requests without JavaScript: a member opens one, a facilitator moves it through its
statuses, the history keeps who did what after the facilitator leaves; each side's list filters and keeps its
query count; institution B never sees A's requests."""

import re

import pytest

from r2dr.models import AuditEntry
from r2dr.roles import Role
from tests.factories import InstitutionFactory
from tests.workshops.helpers import facilitator
from training.workshops.models import AssistanceRequest
from training.workshops.services.assistance import AssistanceRefused, assistance_request_move, assistance_request_open

pytestmark = pytest.mark.django_db


def test_a_request_goes_from_requested_to_closed_with_its_history(client, institution_a, make_member):
    member = make_member(institution_a, Role.DATA_OFFICER, email="data@a.example")
    client.force_login(member)
    base = f"/{institution_a.slug}/training/workshops/requests/"
    response = client.post(base, {"topic": "report_writing", "description": "Please review our annual report"})
    item = AssistanceRequest.objects.for_institution(institution_a).get()
    assert response.status_code == 302 and response["Location"] == f"{base}{item.pk}/"

    fran = facilitator(name="Fran")
    client.force_login(fran)
    for status, note in [("accepted", ""), ("in_progress", "Reading it"), ("answered", "Comments sent")]:
        client.post(f"/training/workshops/requests/{item.pk}/", {"status": status, "note": note})
    item.refresh_from_db()
    assert item.status == "answered"
    # The facilitator leaves (and the account is renamed); the history still says who answered.
    fran.memberships.all().delete()
    fran.first_name, fran.is_active = "Gone", False
    fran.save()

    client.force_login(member)
    page = client.get(f"{base}{item.pk}/").content.decode()
    assert "Comments sent" in page and "Fran Facilitator" in page
    client.post(f"{base}{item.pk}/", {"status": "closed", "note": "Thanks"})
    item.refresh_from_db()
    assert item.status == "closed"
    assert list(item.events.values_list("status", flat=True)) == [
        "requested",
        "accepted",
        "in_progress",
        "answered",
        "closed",
    ]
    actions = AuditEntry.objects.for_institution(institution_a).filter(object_type="assistance_request")
    assert list(actions.order_by("pk").values_list("action", flat=True)) == [
        "assistance.opened",
        "assistance.accepted",
        "assistance.in_progress",
        "assistance.answered",
        "assistance.closed",
    ]


def test_steps_out_of_order_are_refused_and_the_institution_may_only_close(institution_a, make_member):
    member = make_member(institution_a, Role.DATA_OFFICER, email="data@a.example")
    item = assistance_request_open(institution=institution_a, by=member, topic="platform", description="How?")
    with pytest.raises(AssistanceRefused):
        assistance_request_move(request=item, by=facilitator(), status="answered")
    with pytest.raises(AssistanceRefused):
        assistance_request_move(request=item, by=member, status="accepted", as_institution=True)
    assert AssistanceRequest.objects.for_institution(institution_a).get().status == "requested"


def test_an_institution_sees_only_its_own_requests(client, institution_a, institution_b, make_member):
    asker_b = make_member(institution_b, Role.DATA_OFFICER, email="data@b.example")
    asker_b.first_name = "Zarathustra"  # the list shows who opened each request
    asker_b.save()
    theirs = assistance_request_open(institution=institution_b, by=asker_b, topic="platform", description="Zarathustra")
    client.force_login(make_member(institution_a, Role.DATA_OFFICER, email="data@a.example"))
    assert "Zarathustra" not in client.get(f"/{institution_a.slug}/training/workshops/requests/").content.decode()
    assert client.get(f"/{institution_a.slug}/training/workshops/requests/{theirs.pk}/").status_code == 404


def _requests(institution, n, topic="platform"):
    member_email = f"asker-{institution.slug}-{topic}@example.org"
    from tests.factories import MembershipFactory, UserFactory

    member = UserFactory(username=member_email)
    MembershipFactory(user=member, institution=institution, role=Role.DATA_OFFICER)
    for i in range(n):
        assistance_request_open(institution=institution, by=member, topic=topic, description=f"Question {i}")
    return member


def test_the_lists_filter_and_keep_their_query_count(client, institution_a, django_assert_max_num_queries):
    others = [InstitutionFactory() for _ in range(3)]
    for other in others:
        _requests(other, 4)
    _requests(others[0], 2, topic="case_handling")
    member = _requests(institution_a, 20)
    client.force_login(facilitator())
    with django_assert_max_num_queries(12):
        page = client.get("/training/workshops/requests/").content.decode()
    assert len(re.findall(r'href="/training/workshops/requests/\d+/"', page)) == 34
    page = client.get(f"/training/workshops/requests/?institution={others[0].pk}&topic=case_handling").content.decode()
    assert len(re.findall(r'href="/training/workshops/requests/\d+/"', page)) == 2
    client.force_login(member)
    with django_assert_max_num_queries(12):
        page = client.get(f"/{institution_a.slug}/training/workshops/requests/?status=requested").content.decode()
    assert len(re.findall(rf'href="/{institution_a.slug}/training/workshops/requests/\d+/"', page)) == 20
    closed = client.get(f"/{institution_a.slug}/training/workshops/requests/?status=closed").content.decode()
    assert "No request." in closed


@pytest.mark.parametrize(("language", "heading"), [("id", "Minta bantuan teknis"), ("th", "ขอความช่วยเหลือทางเทคนิค")])
def test_the_institution_reads_its_requests_in_indonesian_and_thai(
    client, institution_a, make_member, settings, language, heading
):
    client.force_login(make_member(institution_a, Role.DATA_OFFICER, email="data@a.example"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(f"/{institution_a.slug}/training/workshops/requests/").content.decode()
    assert heading in page


def test_members_find_technical_assistance_in_the_navigation(client, institution_a, make_member):
    client.force_login(make_member(institution_a, Role.DATA_OFFICER, email="data@a.example"))
    page = client.get(f"/{institution_a.slug}/", follow=True).content.decode()
    assert f'href="/{institution_a.slug}/training/workshops/requests/"' in page
    client.force_login(facilitator())
    assert 'href="/training/workshops/requests/"' in client.get("/training/workshops/bookings/").content.decode()
