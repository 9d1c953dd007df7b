import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from indicators import computations, demo, services
from indicators.framework_seed import ensure_framework
from indicators.models import Cycle, CycleArea, CycleEvent, FrameworkVersion, Indicator, Value, ValueHistory
from r2dr import demo as core_demo
from r2dr.roles import Role
from r2dr.tenancy import UnscopedQueryError
from tests.indicators.helpers import approve_area, fill_area, open_cycle, publish, refused, staff

pytestmark = pytest.mark.django_db


def test_seeded_framework_is_complete_and_balanced():
    version = ensure_framework()
    assert version.status == FrameworkVersion.Status.PUBLISHED
    assert ensure_framework() == version  # idempotent
    assert version.areas.count() == 5
    for area in version.areas.all():
        assert 2 <= area.attributes.count() <= 3
    indicators = list(version.indicators.all())
    assert 40 <= len(indicators) <= 80
    counts = {t: sum(1 for i in indicators if i.type == t) for t in ("structural", "process", "outcome")}
    assert max(counts.values()) - min(counts.values()) <= 3
    assert all(i.guidance.strip() for i in indicators)
    assert all(i.rating_note for i in indicators if i.rating_rule.get("kind") != "none")


def test_cycle_creates_one_value_per_indicator_of_chosen_areas(institution_a):
    cycle = open_cycle(institution_a, areas=("1", "5"))
    expected = Indicator.objects.filter(version=cycle.version, attribute__area__code__in=["1", "5"]).count()
    assert Value.objects.for_institution(institution_a).filter(cycle=cycle).count() == expected
    assert cycle.areas.count() == 2


def test_reviewer_cannot_be_a_respondent(institution_a):
    reviewer = staff(institution_a, Role.REVIEWER)
    ensure_framework()
    refused(ValidationError, lambda: open_cycle(institution_a, respondent=reviewer, reviewer=reviewer))


def test_only_head_or_admin_opens_a_cycle(institution_a):
    officer = staff(institution_a, Role.DATA_OFFICER)
    ensure_framework()
    refused(PermissionDenied, lambda: open_cycle(institution_a, head=officer))


def test_other_institution_staff_cannot_write_values(institution_a, institution_b):
    cycle_a = open_cycle(institution_a)
    cycle_b = open_cycle(institution_b)
    value_a = cycle_a.values.first()
    refused(
        PermissionDenied,
        lambda: services.value_save(value=value_a, by=cycle_b.test_users["respondent"], data={"answer": "yes"}),
    )
    value_a.refresh_from_db()
    assert value_a.answer == ""


def test_unscoped_reads_are_refused(institution_a):
    open_cycle(institution_a)
    with pytest.raises(UnscopedQueryError):
        list(Value.objects.all())


def test_value_history_records_who_old_new_and_why(institution_a):
    cycle = open_cycle(institution_a)
    user = cycle.test_users["respondent"]
    value = cycle.values.get(indicator__code="1.1.O1")
    services.value_save(value=value, by=user, data={"answer": "4", "narrative": "first"})
    services.value_save(value=value, by=user, data={"answer": "6"}, reason="late police figures")
    history = list(
        ValueHistory.objects.for_institution(institution_a).filter(value=value, field="answer").order_by("at", "id")
    )
    assert [(h.old, h.new) for h in history] == [("", "4"), ("4", "6")]
    assert history[-1].by == user and history[-1].reason == "late police figures"
    value.refresh_from_db()
    assert value.number == Decimal("6")


@pytest.mark.parametrize(
    ("code", "typed"),
    [
        ("1.1.O1", "about twelve"),  # count
        ("1.1.O1", "2.5"),
        ("1.1.O1", "1" * 20),  # larger than the column holds
        ("1.1.P1", "twelve"),  # percentage
        ("1.1.P1", "120"),
        ("1.1.P1", "33.333"),
        ("1.1.P1", "1,5"),  # a decimal comma is not read as fifteen
        ("1.1.S1", "maybe"),  # yes / partly / no
        ("1.2.O1", "permit"),  # categorical
        ("2.2.O1", "an answer"),  # a narrative indicator's answer is its narrative
    ],
)
def test_an_invalid_answer_is_refused_and_nothing_is_stored(institution_a, code, typed):
    cycle = open_cycle(institution_a, areas=("1", "2"))
    user = cycle.test_users["respondent"]
    value = cycle.values.get(indicator__code=code)
    refused(
        ValidationError, lambda: services.value_save(value=value, by=user, data={"answer": typed, "narrative": "x"})
    )


def test_breakdown_cells_and_confidence_are_checked_on_save(institution_a):
    cycle = open_cycle(institution_a)
    user = cycle.test_users["respondent"]
    value = cycle.values.get(indicator__code="1.1.O1")
    refused(
        ValidationError,
        lambda: services.value_save(value=value, by=user, data={"disaggregation": {"sex": {"women": "many"}}}),
    )
    refused(ValidationError, lambda: services.value_save(value=value, by=user, data={"confidence": "total"}))
    refused(ValidationError, lambda: services.value_save(value=value, by=user, data={"narrative": "a\x00b"}))


def test_numbers_are_stored_in_plain_digits(institution_a):
    cycle = open_cycle(institution_a)
    user = cycle.test_users["respondent"]
    count = cycle.values.get(indicator__code="1.1.O1")
    services.value_save(
        value=count, by=user, data={"answer": "1,200", "disaggregation": {"sex": {"women": "1,000", "men": ""}}}
    )
    count.refresh_from_db()
    assert (count.answer, count.number, count.disaggregation) == ("1200", Decimal(1200), {"sex": {"women": "1000"}})
    percent = cycle.values.get(indicator__code="1.1.P1")
    services.value_save(value=percent, by=user, data={"answer": "35.50 %"})
    percent.refresh_from_db()
    assert (percent.answer, percent.number) == ("35.5", Decimal("35.5"))


def _area(cycle, code="1"):
    return cycle.areas.get(area__code=code)


def test_submit_refused_until_every_answer_has_a_source(institution_a):
    cycle = open_cycle(institution_a)
    user = cycle.test_users["respondent"]
    area = _area(cycle)
    for value in area.values.select_related("indicator"):
        services.value_save(value=value, by=user, data={"answer": "na"})
    with pytest.raises(ValidationError) as exc:
        services.cycle_area_submit(cycle_area=area, by=user)
    assert "source" in str(exc.value)
    area.refresh_from_db()
    assert area.status == CycleArea.Status.DRAFT


def test_full_state_machine_and_locking(institution_a):
    cycle = open_cycle(institution_a)
    users = cycle.test_users
    area = _area(cycle)
    fill_area(area, users["respondent"])
    services.cycle_area_submit(cycle_area=area, by=users["respondent"])
    value = area.values.get(indicator__code="1.1.S2")
    # locked while submitted
    refused(
        services.TransitionError,
        lambda: services.value_save(value=value, by=users["respondent"], data={"answer": "no"}),
    )
    services.cycle_area_return(cycle_area=area, by=users["reviewer"], comments={"1.1.S2": "Cite the decree."})
    value.refresh_from_db()
    assert value.review_comment == "Cite the decree."
    services.value_save(value=value, by=users["respondent"], data={"answer": "partly"})
    services.cycle_area_submit(cycle_area=area, by=users["respondent"])
    services.cycle_area_approve(cycle_area=area, by=users["reviewer"])
    area.refresh_from_db()
    assert area.status == CycleArea.Status.APPROVED
    value.refresh_from_db()
    assert value.review_comment == "" and value.approved_snapshot["answer"] == "partly"
    refused(
        services.TransitionError,
        lambda: services.value_save(value=value, by=users["respondent"], data={"answer": "no"}),
    )
    services.cycle_publish(cycle=cycle, by=users["head"])
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.PUBLISHED
    actions = list(
        CycleEvent.objects.for_institution(institution_a).filter(cycle=cycle).values_list("action", flat=True)
    )
    assert {"open", "submit", "return", "approve", "publish"} <= set(actions)


def test_illegal_transitions_are_refused(institution_a):
    cycle = open_cycle(institution_a, areas=("1", "2"))
    users = cycle.test_users
    area, other = _area(cycle, "1"), _area(cycle, "2")
    # draft: cannot be approved, returned or reopened; the cycle cannot be published
    refused(services.TransitionError, lambda: services.cycle_area_approve(cycle_area=area, by=users["reviewer"]))
    refused(
        services.TransitionError,
        lambda: services.cycle_area_return(cycle_area=area, by=users["reviewer"], comments={"1.1.S1": "x"}),
    )
    refused(
        services.TransitionError, lambda: services.cycle_area_reopen(cycle_area=area, by=users["reviewer"], reason="x")
    )
    refused(services.TransitionError, lambda: services.cycle_publish(cycle=cycle, by=users["head"]))
    fill_area(area, users["respondent"])
    services.cycle_area_submit(cycle_area=area, by=users["respondent"])
    cycle.refresh_from_db()
    assert cycle.submitted_at is None  # area 2 is still in progress
    # submitted: cannot be submitted again; only the reviewer decides; a return needs a comment
    refused(services.TransitionError, lambda: services.cycle_area_submit(cycle_area=area, by=users["respondent"]))
    refused(PermissionDenied, lambda: services.cycle_area_approve(cycle_area=area, by=users["respondent"]))
    refused(PermissionDenied, lambda: services.cycle_area_approve(cycle_area=area, by=users["head"]))
    refused(ValidationError, lambda: services.cycle_area_return(cycle_area=area, by=users["reviewer"], comments={}))
    services.cycle_area_approve(cycle_area=area, by=users["reviewer"])
    # approved: cannot be approved, returned or submitted; reopening needs a reason
    refused(services.TransitionError, lambda: services.cycle_area_approve(cycle_area=area, by=users["reviewer"]))
    refused(
        services.TransitionError,
        lambda: services.cycle_area_return(cycle_area=area, by=users["reviewer"], comments={"1.1.S1": "x"}),
    )
    refused(services.TransitionError, lambda: services.cycle_area_submit(cycle_area=area, by=users["respondent"]))
    refused(ValidationError, lambda: services.cycle_area_reopen(cycle_area=area, by=users["reviewer"], reason="  "))
    refused(
        PermissionDenied, lambda: services.cycle_area_reopen(cycle_area=area, by=users["respondent"], reason="typo")
    )
    # the cycle cannot be published while area 2 is not approved; only the head publishes
    refused(services.TransitionError, lambda: services.cycle_publish(cycle=cycle, by=users["head"]))
    approve_area(other, respondent=users["respondent"], reviewer=users["reviewer"])
    cycle.refresh_from_db()
    assert cycle.submitted_at is not None
    refused(PermissionDenied, lambda: services.cycle_publish(cycle=cycle, by=users["reviewer"]))
    services.cycle_publish(cycle=cycle, by=users["head"])
    # published: final
    refused(services.TransitionError, lambda: services.cycle_publish(cycle=cycle, by=users["head"]))
    refused(
        services.TransitionError,
        lambda: services.cycle_area_reopen(cycle_area=area, by=users["head"], reason="correction"),
    )
    area.refresh_from_db()
    assert area.status == CycleArea.Status.APPROVED


def test_reopen_with_reason_is_recorded(institution_a):
    cycle = open_cycle(institution_a)
    users = cycle.test_users
    area = _area(cycle)
    approve_area(area, respondent=users["respondent"], reviewer=users["reviewer"])
    services.cycle_area_reopen(cycle_area=area, by=users["head"], reason="Police corrected the figures")
    area.refresh_from_db()
    assert area.status == CycleArea.Status.DRAFT
    event = CycleEvent.objects.for_institution(institution_a).filter(cycle=cycle, action="reopen").get()
    assert event.note == "Police corrected the figures" and event.by == users["head"]


def test_computed_figure_is_snapshotted_at_submission(institution_a, monkeypatch):
    calls = []

    def fake_counter(**kwargs):
        calls.append(kwargs)
        return 7

    monkeypatch.setattr(computations, "_case_counter", lambda: fake_counter)
    cycle = open_cycle(institution_a)
    users = cycle.test_users
    area = _area(cycle)
    fill_area(area, users["respondent"])
    services.cycle_area_submit(cycle_area=area, by=users["respondent"])
    value = area.values.get(indicator__code="1.1.O1")
    assert value.computed_value == 7 and value.computed_at is not None
    assert calls[0]["institution"] == institution_a and calls[0]["date_from"] == datetime.date(2025, 1, 1)
    monkeypatch.setattr(computations, "_case_counter", lambda: lambda **kw: 99)
    services.cycle_area_approve(cycle_area=area, by=users["reviewer"])
    value.refresh_from_db()
    assert value.computed_value == 7


def test_computation_without_cases_app_is_none(institution_a, monkeypatch):
    monkeypatch.setattr(computations, "_case_counter", lambda: None)
    assert computations.compute("sdg_16_10_1", institution=institution_a, date_from=None, date_to=None) is None


def test_framework_draft_edit_publish_and_immutability(regional_admin):
    v1 = ensure_framework()
    draft = services.framework_version_create_draft(based_on=v1, by=regional_admin, title="Version 2")
    assert draft.number == 2 and draft.indicators.count() == v1.indicators.count()
    assert set(draft.indicators.values_list("code", flat=True)) == set(v1.indicators.values_list("code", flat=True))
    ind = draft.indicators.get(code="1.1.S1")
    services.indicator_update(
        indicator=ind, by=regional_admin, data={"rating_rule": {"kind": "none"}, "title": "Treaties"}
    )
    refused(
        ValidationError,
        lambda: services.indicator_update(indicator=ind, by=regional_admin, data={"rating_rule": {"kind": "magic"}}),
    )
    services.framework_version_publish(version=draft, by=regional_admin)
    refused(
        ValidationError,
        lambda: services.indicator_update(
            indicator=v1.indicators.get(code="1.1.S1"), by=regional_admin, data={"title": "x"}
        ),
    )
    refused(
        ValidationError,
        lambda: services.indicator_update(
            indicator=draft.indicators.get(code="1.1.S1"), by=regional_admin, data={"title": "x"}
        ),
    )
    assert v1.indicators.get(code="1.1.S1").title != "Treaties"


def test_framework_maintenance_needs_regional_admin(institution_a):
    head = staff(institution_a, Role.INSTITUTION_HEAD)
    base = ensure_framework()
    refused(PermissionDenied, lambda: services.framework_version_create_draft(based_on=base, by=head))


def test_cycles_stay_on_their_version(institution_a, regional_admin):
    cycle = open_cycle(institution_a)
    v1 = cycle.version
    draft = services.framework_version_create_draft(based_on=v1, by=regional_admin)
    services.framework_version_publish(version=draft, by=regional_admin)
    cycle.refresh_from_db()
    assert cycle.version == v1
    newer = open_cycle(
        institution_a,
        title="2026",
        period=(2026, 2026),
        head=cycle.test_users["head"],
        respondent=cycle.test_users["respondent"],
        reviewer=cycle.test_users["reviewer"],
    )
    assert newer.version == draft


def test_confidential_sources_stay_but_are_marked(institution_a):
    cycle = open_cycle(institution_a)
    value = cycle.values.get(indicator__code="1.1.S1")
    source = services.source_add(
        value=value,
        by=cycle.test_users["respondent"],
        kind="interview",
        citation="Interview with a defender",
        confidential=True,
    )
    assert source.confidential


def test_publish_requires_all_areas(institution_a):
    cycle = open_cycle(institution_a)
    publish(cycle)
    cycle.refresh_from_db()
    assert cycle.is_published


def test_reviewer_and_respondents_are_notified_without_content(
    institution_a, django_capture_on_commit_callbacks, mailoutbox
):
    cycle = open_cycle(institution_a)
    users = cycle.test_users
    area = _area(cycle)
    fill_area(area, users["respondent"], narrative="SECRET narrative")
    with django_capture_on_commit_callbacks(execute=True):
        services.cycle_area_submit(cycle_area=area, by=users["respondent"])
    assert mailoutbox[-1].to == [users["reviewer"].email] and "review" in mailoutbox[-1].subject
    with django_capture_on_commit_callbacks(execute=True):
        services.cycle_area_return(cycle_area=area, by=users["reviewer"], comments={"1.1.S1": "SECRET comment"})
    assert mailoutbox[-1].to == [users["respondent"].email]
    assert all("SECRET" not in m.body for m in mailoutbox)


def test_demo_seed_is_idempotent(mailoutbox, django_capture_on_commit_callbacks):

    core_demo.seed()
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed()
    counts = Cycle.objects.regional().count()
    demo.seed()
    assert Cycle.objects.regional().count() == counts >= 10
    assert Cycle.objects.regional().filter(status="published", institution__slug="nhrct").count() == 2
    assert mailoutbox == []
