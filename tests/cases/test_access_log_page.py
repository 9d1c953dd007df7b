"""The access log page speaks in words: what happened ("Viewed the case inbox", "Moved the case to “Being
assessed”"), with readable details (page, filters, whose access), in the reader's language, never the raw event
codes and notes (`cases.inbox_viewed ( page=1)`)."""

import pytest
from django.conf import settings

from cases import plaintext, services
from cases.models import Status
from r2dr.roles import Role
from tests.cases.conftest import PASSPHRASE
from tests.cases.helpers import CaseFactory, unlock_client, walk_to

pytestmark = pytest.mark.django_db


def _log(client, institution) -> str:
    body = client.get(f"/{institution.slug}/cases/access-log/").content.decode()
    return body[body.index("<tbody>") : body.index("</tbody>")]


def _busy_institution(client, institution, keyed, make_member):
    officer, _kit = keyed(institution)
    colleague = make_member(institution, Role.CASE_OFFICER, email="colleague@test.example")
    colleague_key = services.officer_key_create(institution=institution, user=colleague, passphrase="other one")
    case = CaseFactory(institution=institution, names="Hidden Defender", narrative="hidden narrative")
    client.force_login(officer)
    client.get(f"/{institution.slug}/cases/")
    client.get(f"/{institution.slug}/cases/?status=received&urgency=urgent&repeat_attack=on&page=1")
    unlock_client(client, institution)
    _kr, private = services.keyring_unlock(institution=institution, user=officer, passphrase=PASSPHRASE)
    services.key_grant_create(
        institution=institution, by=officer, institution_private=private, officer_key=colleague_key
    )
    key = plaintext.case_key_for_officer(case, private)
    client.get(f"/{institution.slug}/cases/{case.pk}/")
    walk_to(case, key, officer, Status.VERIFICATION)
    services.cases_assign(institution=institution, case_ids=[case.pk], officer=colleague, by=officer)
    services.case_triage(case=case, by=officer, urgency="high")
    client.get(f"/{institution.slug}/cases/export.csv")
    return officer, colleague, case


def test_every_entry_in_words_with_readable_details(client, institution_a, keyed, make_member, taxonomy):
    _officer, colleague, case = _busy_institution(client, institution_a, keyed, make_member)
    log = _log(client, institution_a)
    assert "cases." not in log and "<code>" not in log, "an event is shown by its code"
    assert "inbox_viewed" not in log and "page=" not in log
    assert "Viewed the case inbox" in log and "page 1; no filters" in log
    assert "Status: Received; Urgency: Urgent; Repeat attacks only" in log
    assert "Moved the case to “Being assessed”" in log and "Moved the case to “Being verified”" in log
    assert f'Granted access<br><span class="small">for {colleague.email}' in log
    assert f'Assigned the case<br><span class="small">to {colleague.email}' in log
    assert "Changed the urgency or flags" in log and "Exported the case list (CSV)" in log
    assert "Unlocked case keys" in log and "Opened the case" in log and case.reference in log
    assert "Hidden Defender" not in log and "hidden narrative" not in log


def test_the_log_is_in_the_readers_language(client, institution_a, keyed, make_member, taxonomy):
    _busy_institution(client, institution_a, keyed, make_member)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    log = _log(client, institution_a)
    assert "Sedang dikaji" in log  # "Being assessed", translated when read, not when written
    assert "Being assessed" not in log


def test_an_event_without_a_label_is_still_shown(client, institution_a, keyed):
    officer, _kit = keyed(institution_a)
    services.access_log_append(institution=institution_a, user=officer, action="something_new", detail="3 rows")
    client.force_login(officer)
    log = _log(client, institution_a)
    assert "<code>cases.something_new</code>" in log and "3 rows" in log


def test_access_log_query_count_is_constant(client, institution_a, keyed, make_member, django_assert_max_num_queries):
    officer, _kit = keyed(institution_a)
    others = [make_member(institution_a, Role.CASE_OFFICER, email=f"o{i}@test.example") for i in range(5)]
    for i in range(300):
        who = others[i % 5]
        services.access_log_append(
            institution=institution_a, user=officer, action="assigned", detail="", data={"officer": who.pk}
        )
        services.access_log_append(
            institution=institution_a, user=officer, action="inbox_viewed", object_type="case_list",
            detail=f"assigned={who.pk} page={i}",
        )  # fmt: skip
    client.force_login(officer)
    with django_assert_max_num_queries(16):
        log = _log(client, institution_a)
    assert log.count("<tr>") == 500 and others[0].email in log
