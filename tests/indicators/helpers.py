"""Builders shared by the indicators tests and URL-argument factories."""

import datetime

import pytest

from indicators import services
from indicators.framework_seed import ensure_framework
from indicators.models import (
    Area,
    Cycle,
    CycleArea,
    CycleEvent,
    FrameworkVersion,
    Indicator,
    MonitoringRound,
    Source,
    Value,
    ValueHistory,
)
from r2dr.audit import AuditEntry
from r2dr.models import Institution, Membership
from r2dr.roles import MFA_REQUIRED_ROLES, Role
from tests.factories import UserFactory, enrol_totp


def staff(institution, role, email=None):
    user = UserFactory(username=email or f"{role}.{institution.slug}@test.example")
    Membership.objects.get_or_create(user=user, institution=institution, role=role)
    if role in MFA_REQUIRED_ROLES:
        enrol_totp(user)
    return user


def open_cycle(
    institution,
    *,
    areas=("1",),
    title="Baseline 2025",
    period=(2025, 2025),
    respondent=None,
    reviewer=None,
    head=None,
    monitoring_round=None,
):
    """A cycle of `institution` on the seeded framework, with a data officer, a reviewer and a head."""
    ensure_framework()
    head = head or staff(institution, Role.INSTITUTION_HEAD)
    respondent = respondent or staff(institution, Role.DATA_OFFICER)
    reviewer = reviewer or staff(institution, Role.REVIEWER)
    cycle = services.cycle_open(
        institution=institution,
        by=head,
        title=title,
        period_start=datetime.date(period[0], 1, 1),
        period_end=datetime.date(period[1], 12, 31),
        due_date=datetime.date(period[1] + 1, 3, 31),
        area_codes=list(areas),
        reviewer=reviewer,
        respondents={code: [respondent] for code in areas},
        monitoring_round=monitoring_round,
    )
    cycle.test_users = {"head": head, "respondent": respondent, "reviewer": reviewer}
    return cycle


SAMPLE_ANSWERS = {"ypn": "yes", "count": "3", "percent": "50", "categorical": None, "narrative": "na"}


def fill_area(cycle_area, by, *, narrative="Documented", confidential=False):
    """Answer every indicator of an area validly, each with one source."""
    for value in cycle_area.values.select_related("indicator"):
        ind = value.indicator
        answer = SAMPLE_ANSWERS[ind.value_type]
        if ind.value_type == "categorical":
            answer = ind.categories[0]["code"]
        if ind.value_type == "count" and ind.total_code:
            answer = "1"
        services.value_save(value=value, by=by, data={"answer": answer, "narrative": narrative})
        services.source_add(
            value=value, by=by, kind="document", citation=f"Annual report, {ind.code}", confidential=confidential
        )


def approve_area(cycle_area, *, respondent, reviewer):
    fill_area(cycle_area, respondent)
    services.cycle_area_submit(cycle_area=cycle_area, by=respondent)
    services.cycle_area_approve(cycle_area=cycle_area, by=reviewer)


def publish(cycle):
    users = cycle.test_users
    for cycle_area in cycle.areas.all():
        approve_area(cycle_area, respondent=users["respondent"], reviewer=users["reviewer"])
    return services.cycle_publish(cycle=cycle, by=users["head"])


def trail(institution):
    """Everything of `institution` a refused request must leave as it was: the indicators rows, their history
    and events, and the audit chain."""
    respondents = CycleArea.respondents.through.objects.filter(cyclearea__institution=institution)
    return {
        "cycles": list(
            Cycle.objects.for_institution(institution).order_by("pk").values_list("pk", "status", "reviewer_id")
        ),
        "areas": list(
            CycleArea.objects.for_institution(institution)
            .order_by("pk")
            .values_list("pk", "status", "findings", "recommendations", "review_note")
        ),
        "respondents": sorted(respondents.values_list("cyclearea_id", "user_id")),
        "values": list(
            Value.objects.for_institution(institution)
            .order_by("pk")
            .values_list("pk", "answer", "narrative", "confidence", "justification", "review_comment")
        ),
        "sources": list(Source.objects.for_institution(institution).order_by("pk").values_list("pk", "citation")),
        "history": ValueHistory.objects.for_institution(institution).count(),
        "events": CycleEvent.objects.for_institution(institution).count(),
        "audit": AuditEntry.objects.for_institution(institution).count(),
    }


def everything():
    """Every institution's trail plus the regional framework rows."""
    framework = [
        list(FrameworkVersion.objects.order_by("pk").values_list("pk", "status", "title")),
        list(Area.objects.order_by("pk").values_list("pk", "title", "description")),
        list(Indicator.objects.order_by("pk").values_list("pk", "code", "title", "rating_rule", "is_retired")),
        list(MonitoringRound.objects.order_by("pk").values_list("pk", "is_open")),
    ]
    return framework, [trail(i) for i in Institution.objects.order_by("pk")]


def refused(error, call):
    """`call()` raises `error` and changes nothing anywhere."""
    before = everything()
    with pytest.raises(error):
        call()
    assert everything() == before
