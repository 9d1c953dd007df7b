"""Daily case handling: saved inbox views, the incident-date filter, the audited inbox, cases recorded by staff,
escalation, automatic repeat-attack detection, overdue-response reminders and merging duplicates."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from cases import plaintext, selectors, services, tasks
from cases.models import (
    Case,
    CaseLink,
    CaseSource,
    Consent,
    Intervention,
    InterventionKind,
    InterventionStatus,
    Origin,
    Outcome,
    SavedInboxView,
    Status,
    Urgency,
    ViolationType,
)
from r2dr.roles import Role
from tests.cases.conftest import PASSPHRASE
from tests.cases.helpers import CaseFactory, unlock_client
from tests.refusals import refused_request

pytestmark = pytest.mark.django_db
D = datetime.date


class ReportedCase(CaseFactory):
    class Params:
        date = D(2025, 3, 1)


@pytest.fixture
def office(client, institution_a, keyed, taxonomy, make_member):
    officer, _kit = keyed(institution_a, email="officer@a.example")
    head = make_member(institution_a, Role.INSTITUTION_HEAD, email="head@a.example")
    colleague = make_member(institution_a, Role.CASE_OFFICER, email="colleague@a.example")
    client.force_login(officer)
    return institution_a, officer, head, colleague


def _private(institution, officer):
    return services.keyring_unlock(institution=institution, user=officer, passphrase=PASSPHRASE)[1]


# --- inbox -------------------------------------------------------------------------------------------------


def test_incident_date_filter_and_inbox_views_are_audited(client, office):
    institution, *_ = office
    old = ReportedCase(institution=institution, date=D(2021, 5, 1))
    new = ReportedCase(institution=institution, date=D(2025, 6, 1))
    body = client.get(f"/{institution.slug}/cases/?incident_from=2025-01-01").content.decode()
    assert new.reference in body and old.reference not in body
    body = client.get(f"/{institution.slug}/cases/?incident_to=2021-12-31").content.decode()
    assert old.reference in body and new.reference not in body
    r = client.get(f"/{institution.slug}/cases/?incident_from=2025-01-01&incident_to=2024-01-01")
    assert "This date is before the start date." in r.content.decode()
    entries = selectors.access_entries(institution).filter(action="cases.inbox_viewed")
    assert entries.count() == 3
    assert "incident_from=2025-01-01" in str(entries.order_by("pk").first().detail)


def test_saved_views_private_or_shared(client, office):
    institution, officer, _head, colleague = office
    ReportedCase(institution=institution, urgent=True)
    url = f"/{institution.slug}/cases/views/"
    r = client.post(url, {"name": "Urgent, unassigned", "query": "urgency=urgent&assigned=none&page=3"})
    assert r.status_code == 302 and r["Location"].endswith("?urgency=urgent&assigned=none")
    client.post(url, {"name": "Team backlog", "query": "status=received", "shared": "on"})
    mine = client.get(f"/{institution.slug}/cases/").content.decode()
    assert "Urgent, unassigned" in mine and "Team backlog" in mine
    # A colleague sees only the shared one, and cannot delete it.
    client.force_login(colleague)
    theirs = client.get(f"/{institution.slug}/cases/").content.decode()
    assert "Team backlog" in theirs and "Urgent, unassigned" not in theirs
    shared = SavedInboxView.objects.for_institution(institution).get(name="Team backlog")
    refused_request(client.post, f"/{institution.slug}/cases/views/{shared.pk}/delete/", status=404)
    # Invalid filters are refused and nothing is stored.
    r = client.post(url, {"name": "Broken", "query": "status=nonsense"}, follow=True)
    assert "not valid" in r.content.decode()
    assert not SavedInboxView.objects.for_institution(institution).filter(name="Broken").exists()
    client.force_login(officer)
    assert client.post(f"/{institution.slug}/cases/views/{shared.pk}/delete/").status_code == 302
    assert not SavedInboxView.objects.for_institution(institution).filter(pk=shared.pk).exists()


# --- staff-recorded cases ----------------------------------------------------------------------------------


def _record_post(**over):
    vt = ViolationType.objects.get(code="judicial-harassment")
    data = {
        "record-origin": "media",
        "record-source_kind": "media",
        "record-reliability": "usually",
        "record-source_description": "Daily Herald, 3 May 2025, page 2",
        "record-urgency": "high",
        "who-affected_kind": "individual",
        "who-affected_names": "Rosa Journalist",
        "who-affected_count": "1",
        "who-gender": "woman",
        "who-age_group": "30_59",
        "who-submitter_is_victim": "no",
        "what-violation_types": [str(vt.pk)],
        "what-narrative": "Charged with defamation after her land-rights reporting.",
        "what-date_precision": "day",
        "what-incident_date": "2025-05-02",
        "what-country_code": "TL",
        "what-perpetrator_kind": "state",
        "consent-contact_method": "receipt",
        "consent-consent_contact": "no",
        "consent-consent_un": "no",
        "consent-consent_protection": "no",
        "consent-consent_statistics": "yes",
    }
    data.update(over)
    return data


def test_staff_record_a_case_from_the_media_with_its_source(client, office):
    institution, officer, *_ = office
    url = f"/{institution.slug}/cases/record/"
    assert client.get(url)["Location"].startswith(f"/{institution.slug}/cases/unlock/")  # key first
    unlock_client(client, institution)
    page = client.get(url).content.decode()
    assert "How did the institution learn of this case?" in page and "Is someone in danger right now?" not in page
    # A missing answer keeps everything typed.
    r = client.post(url, _record_post(**{"what-narrative": ""}))
    assert r.status_code == 200 and "Daily Herald, 3 May 2025" in r.content.decode()
    assert not Case.objects.for_institution(institution).exists()
    r = client.post(url, _record_post())
    assert r.status_code == 200
    case = Case.objects.for_institution(institution).get()
    assert case.origin == Origin.MEDIA and case.recorded_by == officer and case.urgency == Urgency.HIGH
    assert case.gender == "woman" and case.consent_statistics
    assert b"Rosa" not in bytes(case.payload)  # encrypted like any report
    key = plaintext.case_key_for_officer(case, _private(institution, officer))
    assert plaintext.case_private(case, key)["affected_names"] == "Rosa Journalist"
    source = CaseSource.objects.for_institution(institution).get(case=case)
    assert source.kind == "media" and plaintext.source_text(case, key, source) == "Daily Herald, 3 May 2025, page 2"
    assert set(Consent.objects.for_institution(institution).filter(case=case).values_list("source", flat=True)) == {
        "staff"
    }
    # The follow-up code shown once works for the defender.
    code = r.context["code"]
    assert plaintext.case_for_receipt(institution=institution, code=code)[0].pk == case.pk
    assert "Media report" in client.get(f"/{institution.slug}/cases/").content.decode()


# --- escalation and repeat attacks -------------------------------------------------------------------------


def test_marking_a_case_urgent_escalates_it_to_the_head_without_content(
    client, office, django_capture_on_commit_callbacks
):
    institution, officer, head, _colleague = office
    case = ReportedCase(institution=institution, names="Secret Name", narrative="secret narrative")
    assert case.escalated_at is None and not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):  # e-mails leave once the escalation is committed
        client.post(f"/{institution.slug}/cases/{case.pk}/triage/", {"urgency": "urgent"})
    case.refresh_from_db()
    assert case.escalated_at is not None
    assert [m.to for m in mail.outbox] == [[head.email]]
    assert case.reference in mail.outbox[0].body and "Secret" not in mail.outbox[0].body
    # Once only.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/{institution.slug}/cases/{case.pk}/triage/", {"urgency": "high"})
        client.post(f"/{institution.slug}/cases/{case.pk}/triage/", {"urgency": "urgent"})
    assert len(mail.outbox) == 1
    assert "escalated" in client.get(f"/{institution.slug}/cases/?escalated=on").content.decode()


def test_urgent_public_report_is_escalated_at_once(office, django_capture_on_commit_callbacks):
    institution, _officer, head, _colleague = office
    with django_capture_on_commit_callbacks(execute=True):
        case = ReportedCase(institution=institution, urgent=True)
    assert case.escalated_at is not None and mail.outbox[0].to == [head.email]


def test_overdue_response_targets_escalate_on_schedule(office):
    institution, *_ = office
    high = ReportedCase(institution=institution)
    services.case_triage(case=high, by=None, urgency=Urgency.HIGH)
    routine = ReportedCase(institution=institution)
    now = timezone.now()
    assert services.cases_escalate_overdue(institution=institution, now=now) == 0
    later = now + datetime.timedelta(days=8)  # past the 7-day target of "high", within routine's 30 days
    assert services.cases_escalate_overdue(institution=institution, now=later) == 1
    assert services.cases_escalate_overdue(institution=institution, now=later) == 0
    high.refresh_from_db()
    routine.refresh_from_db()
    assert high.escalated_at and routine.escalated_at is None
    assert tasks.escalate_overdue_everywhere.apply().get() == 0  # the scheduled task runs (nothing new)
    from r2dr.celery import app

    tasks.register_schedule(app)
    assert app.conf.beat_schedule[tasks.ESCALATION_SCHEDULE_NAME]["task"] == "cases.tasks.escalate_overdue_everywhere"


def test_the_same_defender_attacked_again_is_detected_linked_and_escalated(client, office):
    institution, *_ = office
    first = ReportedCase(institution=institution, names="Budi Santoso", date=D(2024, 1, 10))
    unrelated = ReportedCase(institution=institution, names="Someone Else", date=D(2025, 6, 1))
    near = ReportedCase(
        institution=institution, names="budi  SANTOSO", date=D(2024, 1, 20)
    )  # ten days apart: a possible duplicate
    again = ReportedCase(institution=institution, names="SANTOSO Budi", date=D(2025, 6, 1))
    assert not any(Case.objects.for_institution(institution).values_list("repeat_attack", flat=True))
    unlock_client(client, institution)  # unlocking indexes the new cases' names and checks them: no case opened
    flags = dict(Case.objects.for_institution(institution).values_list("pk", "repeat_attack"))
    assert flags == {first.pk: True, unrelated.pk: False, near.pk: True, again.pk: True}
    repeat = {
        frozenset(pair)
        for pair in CaseLink.objects.for_institution(institution)
        .filter(kind=CaseLink.Kind.REPEAT)
        .values_list("case_id", "other_id")
    }
    assert repeat == {frozenset((again.pk, first.pk)), frozenset((again.pk, near.pk))}
    again.refresh_from_db()
    assert again.escalated_at is not None
    assert "cases.repeat_attack.detected" in set(selectors.access_entries(institution).values_list("action", flat=True))
    assert again.reference in client.get(f"/{institution.slug}/cases/?repeat_attack=on").content.decode()
    assert (
        "Same defender or organisation attacked again"
        in client.get(f"/{institution.slug}/cases/{again.pk}/").content.decode()
    )
    # A case added later is checked at the next unlock; opening a case page writes nothing but the audit entry.
    latest = ReportedCase(institution=institution, names="Budi Santoso", date=D(2026, 1, 5))
    client.get(f"/{institution.slug}/cases/{latest.pk}/")
    latest.refresh_from_db()
    assert not latest.repeat_attack and latest.names_keyring_id is None
    unlock_client(client, institution)
    latest.refresh_from_db()
    assert latest.repeat_attack and latest.names_keyring_id is not None


# --- reminders ---------------------------------------------------------------------------------------------


def test_overdue_intervention_responses_are_reminded_weekly(office):
    institution, officer, _head, colleague = office
    case = ReportedCase(institution=institution)
    services.cases_assign(institution=institution, case_ids=[case.pk], officer=colleague, by=officer)
    key = plaintext.case_key_for_officer(case, _private(institution, officer))
    today = timezone.localdate()
    item = services.intervention_save(
        case=case,
        case_key=key,
        by=officer,
        kind=InterventionKind.LETTER,
        status=InterventionStatus.SENT,
        date_sent=today - datetime.timedelta(days=20),
        response_due=today - datetime.timedelta(days=1),
        addressee="Chief of Police, Dili",
        details="Asked for the investigation file.",
    )
    services.intervention_save(  # answered: no reminder
        case=case,
        case_key=key,
        by=officer,
        kind=InterventionKind.VISIT,
        status=InterventionStatus.RESPONDED,
        response_due=today - datetime.timedelta(days=3),
        response_received=today,
    )
    mail.outbox.clear()
    assert services.interventions_remind_overdue(institution=institution) == 1
    assert mail.outbox[0].to == [colleague.email]
    assert case.reference in mail.outbox[0].subject and "Chief of Police" not in mail.outbox[0].body
    assert services.interventions_remind_overdue(institution=institution) == 0  # not again the same week
    in_a_week = timezone.now() + datetime.timedelta(days=7, hours=1)
    assert services.interventions_remind_overdue(institution=institution, now=in_a_week) == 1
    Intervention.objects.for_institution(institution).filter(pk=item.pk).update(
        status=InterventionStatus.RESPONDED, response_received=today
    )
    in_two = timezone.now() + datetime.timedelta(days=15)
    assert services.interventions_remind_overdue(institution=institution, now=in_two) == 0
    assert tasks.remind_overdue_interventions_everywhere.apply().get() == 0


# --- merging -----------------------------------------------------------------------------------------------


def test_merging_a_duplicate_keeps_every_source_and_counts_the_victim_once(client, office, institution_b, keyed):
    institution, officer, *_ = office
    main = ReportedCase(institution=institution, names="Ana Lopez", narrative="main account")
    dup = ReportedCase(institution=institution, names="Ana López", narrative="the duplicate's own account")
    private = _private(institution, officer)
    dup_key = plaintext.case_key_for_officer(dup, private)
    services.source_add(case=dup, case_key=dup_key, by=officer, kind="witness", reliability="fairly", description="W1")
    year = lambda: sum(  # noqa: E731
        r["count"] or 0 for r in selectors.case_statistics(institution=institution, group_by="year", min_cell=1)
    )
    assert year() == 2
    unlock_client(client, institution)
    r = client.post(f"/{institution.slug}/cases/{dup.pk}/merge/", {"into": main.reference.lower()})
    assert r.status_code == 302 and r["Location"].endswith(f"/cases/{main.pk}/")
    dup.refresh_from_db()
    assert dup.duplicate_of_id == main.pk and dup.status == Status.CLOSED and dup.outcome == Outcome.MERGED
    main_key = plaintext.case_key_for_officer(main, private)
    texts = [plaintext.source_text(main, main_key, s) for s in main.sources.all()]
    assert any("the duplicate's own account" in t for t in texts)
    assert any(t.endswith("W1") and dup.reference in t for t in texts)
    assert dup.sources.count() == 1 and dup.transitions.last().outcome == Outcome.MERGED  # nothing removed
    assert year() == 1
    # The duplicate's submitter still has a channel; a second merge is refused with a message.
    r = client.post(f"/{institution.slug}/cases/{dup.pk}/merge/", {"into": main.reference}, follow=True)
    assert "already merged" in r.content.decode()
    # Another institution's case cannot be a merge target.
    keyed(institution_b, email="b@b.example")
    other = ReportedCase(institution=institution_b)
    r = client.post(f"/{institution.slug}/cases/{main.pk}/merge/", {"into": other.reference}, follow=True)
    assert "another case of this institution" in r.content.decode()
    assert other.sources.count() == 0
