"""The follow-up finds a report by its receipt code alone, whichever institution holds it (issue 11), and the pages
around it say what they do: an urgent report's receipt, ending the follow-up session."""

import pytest

from cases.models import Case, Direction
from tests.cases.helpers import receipt_of, state_of, step_data, submit_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_institutions(institution_a, institution_b, keyed, taxonomy):
    keyed(institution_a)
    keyed(institution_b)
    return institution_a, institution_b


def _open(client, url, code):
    return client.post(url, {"receipt": code, "nav": "open"})


@pytest.mark.parametrize("page", ["/follow-up/", "/{a}/follow-up/", "/{b}/follow-up/"])
def test_a_receipt_code_alone_opens_its_report_from_any_follow_up_page(client, two_institutions, page):
    a, b = two_institutions
    code = receipt_of(submit_report(client, b, step_data(narrative="Held at the district office.")))
    opened = _open(client, page.format(a=a.slug, b=b.slug), code)
    body = opened.content.decode()
    assert opened.status_code == 200 and "Your report" in body and "No report matches" not in body
    # The case page's forms post where the report's own state is understood, so replying works from any page.
    sent = client.post("/follow-up/", {"state": state_of(opened), "nav": "reply", "body": "More details."})
    assert "Your message was sent." in sent.content.decode()
    case = Case.objects.for_institution(b).get()
    assert case.messages.filter(direction=Direction.SUBMITTER).count() == 1
    assert not Case.objects.for_institution(a).exists()


def test_the_follow_up_page_asks_no_institution(client, two_institutions):
    body = client.get("/follow-up/").content.decode()
    assert 'name="institution"' not in body and 'name="receipt"' in body


def test_a_wrong_code_gets_the_same_answer_whichever_institutions_hold_reports(client, two_institutions):
    _a, b = two_institutions
    wrong = "1" * 25
    before = _without_state(_open(client, "/follow-up/", wrong).content.decode())
    assert "No report matches this code" in before
    submit_report(client, b)
    after = _without_state(_open(client, "/follow-up/", wrong).content.decode())
    assert after == before


def _without_state(body):
    import re

    body = re.sub(r'name="state" value="[^"]*"', "", body)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)


def test_a_malformed_code_says_what_is_wrong(client, two_institutions):
    body = _open(client, "/follow-up/", "12345 67890").content.decode()
    assert "A receipt code has 25 digits; this one has 10." in body


def test_an_urgent_reports_receipt_says_what_happens_next_and_points_to_urgent_help(client, two_institutions):
    a, _b = two_institutions
    urgent = submit_report(client, a).content.decode()  # step_data() answers "Yes, this is urgent"
    assert "You marked this report urgent" in urgent and "within 48 hours" in urgent
    assert 'href="#urgent-help-title"' in urgent and 'id="urgent-help-title"' in urgent
    data = step_data()
    data["since"]["urgent"] = "no"
    routine = submit_report(client, a, data).content.decode()
    assert "You marked this report urgent" not in routine and "Your receipt code" in routine


def test_ending_the_follow_up_session_says_the_report_is_not_withdrawn(client, two_institutions):
    a, _b = two_institutions
    opened = _open(client, "/follow-up/", receipt_of(submit_report(client, a)))
    assert "End this follow-up session" in opened.content.decode() and "Close my report" not in opened.content.decode()
    left = client.post("/follow-up/", {"state": state_of(opened), "nav": "leave"}).content.decode()
    assert "nothing was withdrawn or deleted" in left
    # The report is untouched: still open, with its officer's inbox unchanged.
    case = Case.objects.for_institution(a).get()
    assert case.closed_at is None and case.messages.count() == 0
