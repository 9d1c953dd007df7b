"""Every write of the indicators app.

State machine of a cycle area (each transition refuses anything else):

    draft --submit--> submitted --approve--> approved --reopen(reason)--> draft
                      submitted --return(comments)--> returned --submit--> submitted

A cycle is published by the institution head once every covered area is approved; published cycles are
final (no reopening) and become visible to regional selectors.
"""

from __future__ import annotations

import datetime
import os

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mass_mail
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators import computations, selectors, validation
from indicators.models import (
    Area,
    Attribute,
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
from indicators.rating import validate_rule
from r2dr.models import Membership
from r2dr.roles import Role


class TransitionError(ValidationError):
    """A state transition that the state machine does not allow."""


def _roles(user, institution) -> set[str]:
    if user is None:
        return set()
    return set(Membership.objects.filter(user=user, institution=institution).values_list("role", flat=True))


def _is_regional_admin(user) -> bool:
    return Membership.objects.filter(user=user, institution=None, role=Role.REGIONAL_ADMIN).exists()


def _event(cycle, action, by, *, cycle_area=None, note=""):
    return CycleEvent.objects.create(
        institution_id=cycle.institution_id, cycle=cycle, cycle_area=cycle_area, action=action, by=by, note=note
    )


# Demo seeding turns notifications off (it would e-mail fictitious staff).
NOTIFY = True


def _notify(users, subject: str, body: str) -> None:
    """E-mail after commit. Bodies name the cycle and area only: no answers, sources or narratives."""
    if not NOTIFY:
        return
    recipients = sorted({u.email for u in users if u is not None and u.email})
    if not recipients:
        return
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [r]) for r in recipients]
    transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=True))


def _area_text(cycle_area) -> str:
    return f"{cycle_area.cycle.title} · {cycle_area.area.code}. {cycle_area.area.title}"


# --- framework (regional) ----------------------------------------------------------------------------------


def _require_regional_admin(by):
    if not _is_regional_admin(by):
        raise PermissionDenied(_("Only regional admins maintain the framework."))


@transaction.atomic
def framework_version_create_draft(*, based_on: FrameworkVersion, by, title: str = "") -> FrameworkVersion:
    """A new draft version copying `based_on` entirely; codes are kept so cycles compare across versions."""
    _require_regional_admin(by)
    if based_on is None:
        raise ValidationError(_("There is no published version to copy."))
    if FrameworkVersion.objects.filter(status=FrameworkVersion.Status.DRAFT).exists():
        raise ValidationError(_("A draft version already exists: edit or publish it first."))
    last = FrameworkVersion.objects.order_by("-number").first()
    draft = FrameworkVersion.objects.create(
        number=(last.number if last else 0) + 1,
        title=title or based_on.title,
        notes="",
        based_on=based_on,
        translations=based_on.translations,
    )
    area_map, attribute_map = {}, {}
    for area in based_on.areas.all():
        old_id = area.pk
        area.pk = None
        area.version = draft
        area.save()
        area_map[old_id] = area
    for attribute in based_on.attributes.all():
        old_id = attribute.pk
        attribute.pk = None
        attribute.version = draft
        attribute.area = area_map[attribute.area_id]
        attribute.save()
        attribute_map[old_id] = attribute
    copies = []
    for indicator in based_on.indicators.all():
        indicator.pk = None
        indicator.version = draft
        indicator.attribute = attribute_map[indicator.attribute_id]
        copies.append(indicator)
    Indicator.objects.bulk_create(copies)
    return draft


INDICATOR_EDITABLE_FIELDS = (
    "title",
    "type",
    "definition",
    "rationale",
    "computation_method",
    "value_type",
    "categories",
    "min_value",
    "max_value",
    "guidance",
    "data_sources",
    "disaggregation",
    "declaration_articles",
    "treaty_articles",
    "sdg_targets",
    "periodicity",
    "limitations",
    "rating_rule",
    "rating_note",
    "total_code",
    "outlier_threshold",
    "computation",
    "is_retired",
)


@transaction.atomic
def indicator_update(*, indicator: Indicator, by, data: dict) -> Indicator:
    _require_regional_admin(by)
    version = FrameworkVersion.objects.select_for_update().get(pk=indicator.version_id)
    if not version.is_editable:
        raise ValidationError(_("Published framework versions cannot be changed; create a new draft version."))
    problems = validate_rule(data.get("rating_rule", indicator.rating_rule))
    if problems:
        raise ValidationError({"rating_rule": problems})
    if data.get("computation") and data["computation"] not in computations.REGISTRY:
        raise ValidationError({"computation": _("Unknown computation.")})
    for field in INDICATOR_EDITABLE_FIELDS:
        if field in data:
            setattr(indicator, field, data[field])
    indicator.full_clean(exclude=["version", "attribute"])
    indicator.save()
    return indicator


@transaction.atomic
def indicator_create(*, version: FrameworkVersion, attribute: Attribute, by, data: dict) -> Indicator:
    _require_regional_admin(by)
    if not version.is_editable or attribute.version_id != version.pk:
        raise ValidationError(_("Indicators can only be added to a draft version."))
    indicator = Indicator(version=version, attribute=attribute, order=version.indicators.count() + 1)
    indicator.code = data.pop("code")
    if version.indicators.filter(code=indicator.code).exists():
        raise ValidationError({"code": _("This code is already used in this version.")})
    for field in INDICATOR_EDITABLE_FIELDS:
        if field in data:
            setattr(indicator, field, data[field])
    indicator.full_clean(exclude=["version", "attribute"])
    indicator.save()
    return indicator


@transaction.atomic
def area_update(*, area: Area, by, data: dict, attributes: dict | None = None) -> Area:
    """Texts of an area and of its attributes (`attributes`: {attribute code: {field: text}}) in a draft."""
    _require_regional_admin(by)
    version = FrameworkVersion.objects.select_for_update().get(pk=area.version_id)
    if not version.is_editable:
        raise ValidationError(_("Published framework versions cannot be changed; create a new draft version."))
    for field in ("title", "description", "declaration_articles"):
        if field in data:
            setattr(area, field, data[field])
    area.full_clean(exclude=["version"])
    area.save()
    for attribute in area.attributes.all():
        changes = (attributes or {}).get(attribute.code)
        if changes:
            for field in ("title", "description"):
                if field in changes:
                    setattr(attribute, field, changes[field])
            attribute.full_clean(exclude=["version", "area"])
            attribute.save()
    return area


@transaction.atomic
def framework_version_publish(*, version: FrameworkVersion, by) -> FrameworkVersion:
    _require_regional_admin(by)
    version = FrameworkVersion.objects.select_for_update().get(pk=version.pk)
    if not version.is_editable:
        raise TransitionError(_("This version is already published."))
    if not version.indicators.filter(is_retired=False).exists():
        raise ValidationError(_("A version needs at least one indicator."))
    version.status = FrameworkVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = by
    version.save(update_fields=["status", "published_at", "published_by"])
    return version


@transaction.atomic
def round_open(*, year: int, title: str, version: FrameworkVersion, due_date, by, opens_on=None) -> MonitoringRound:
    _require_regional_admin(by)
    if version.status != FrameworkVersion.Status.PUBLISHED:
        raise ValidationError(_("A round must use a published framework version."))
    return MonitoringRound.objects.create(
        year=year, title=title, version=version, due_date=due_date, opens_on=opens_on or timezone.localdate()
    )


@transaction.atomic
def round_set_open(*, monitoring_round: MonitoringRound, by, is_open: bool) -> MonitoringRound:
    """Close a round (no new cycles join it; open cycles continue) or open it again."""
    _require_regional_admin(by)
    monitoring_round.is_open = is_open
    monitoring_round.save(update_fields=["is_open"])
    return monitoring_round


# --- cycles ----------------------------------------------------------------------------------------------


def _check_assignment(institution, reviewer, respondents: dict):
    if reviewer is None:
        raise ValidationError({"reviewer": _("Choose a reviewer.")})
    if Role.REVIEWER not in _roles(reviewer, institution) and Role.INSTITUTION_HEAD not in _roles(
        reviewer, institution
    ):
        raise ValidationError({"reviewer": _("The reviewer must hold the reviewer or head role in this institution.")})
    staff_ids = set(
        Membership.objects.filter(
            institution=institution,
            role__in=[Role.DATA_OFFICER, Role.REVIEWER, Role.INSTITUTION_HEAD, Role.INSTITUTION_ADMIN],
        ).values_list("user_id", flat=True)
    )
    for users in respondents.values():
        for user in users:
            if user.pk == reviewer.pk:
                raise ValidationError({"reviewer": _("The reviewer cannot also be a respondent.")})
            if user.pk not in staff_ids:
                raise ValidationError(_("Respondents must be staff of this institution."))


@transaction.atomic
def cycle_open(
    *,
    institution,
    by,
    title: str,
    period_start: datetime.date,
    period_end: datetime.date,
    due_date: datetime.date,
    area_codes: list[str],
    reviewer,
    respondents: dict,
    monitoring_round: MonitoringRound | None = None,
) -> Cycle:
    """Open a cycle (in a round, or off-round on the latest published framework) with empty values."""
    if not _roles(by, institution) & {Role.INSTITUTION_HEAD, Role.INSTITUTION_ADMIN}:
        raise PermissionDenied(_("Only the institution head or admin opens a cycle."))
    if period_end < period_start:
        raise ValidationError({"period_end": _("The period must end after it starts.")})
    if monitoring_round is not None:
        if not monitoring_round.is_open:
            raise ValidationError(_("This monitoring round is closed."))
        if Cycle.objects.for_institution(institution).filter(round=monitoring_round).exists():
            raise ValidationError(_("Your institution already has a cycle in this round."))
        version = monitoring_round.version
    else:
        version = selectors.published_version()
        if version is None:
            raise ValidationError(_("No published framework version exists."))
    areas = list(Area.objects.filter(version=version, code__in=area_codes))
    if not areas:
        raise ValidationError({"areas": _("Choose at least one area.")})
    _check_assignment(institution, reviewer, respondents)
    cycle = Cycle.objects.create(
        institution=institution,
        round=monitoring_round,
        version=version,
        title=title,
        period_start=period_start,
        period_end=period_end,
        due_date=due_date,
        reviewer=reviewer,
        created_by=by,
    )
    for area in areas:
        cycle_area = CycleArea.objects.create(institution=institution, cycle=cycle, area=area)
        cycle_area.respondents.set(respondents.get(area.code, []))
        Value.objects.bulk_create(
            [
                Value(institution=institution, cycle=cycle, cycle_area=cycle_area, indicator=indicator)
                for indicator in Indicator.objects.filter(attribute__area=area, is_retired=False)
            ]
        )
    _event(cycle, "open", by, note=title)
    return cycle


@transaction.atomic
def cycle_assign(*, cycle: Cycle, by, reviewer, respondents: dict) -> Cycle:
    if not _roles(by, cycle.institution) & {Role.INSTITUTION_HEAD, Role.INSTITUTION_ADMIN}:
        raise PermissionDenied(_("Only the institution head or admin assigns the work."))
    if cycle.is_published:
        raise TransitionError(_("A published cycle cannot be changed."))
    _check_assignment(cycle.institution, reviewer, respondents)
    cycle.reviewer = reviewer
    cycle.save(update_fields=["reviewer"])
    for cycle_area in cycle.areas.select_related("area"):
        cycle_area.respondents.set(respondents.get(cycle_area.area.code, []))
    _event(cycle, "assign", by)
    return cycle


def _require_respondent(cycle_area: CycleArea, by):
    if by is None or not cycle_area.respondents.filter(pk=by.pk).exists():
        raise PermissionDenied(_("Only the respondents of this area can change its data."))


def _require_editable(cycle_area: CycleArea):
    if cycle_area.cycle.is_published:
        raise TransitionError(_("This cycle is published; its data is final."))
    if not cycle_area.is_editable:
        raise TransitionError(
            _("This area is %(status)s and locked.") % {"status": cycle_area.get_status_display().lower()}
        )


VALUE_FIELDS = ("answer", "narrative", "confidence", "disaggregation", "justification")


def _display(value) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {', '.join(f'{t}={n}' for t, n in v.items())}" for k, v in value.items() if v)
    return "" if value is None else str(value)


def _clean_disaggregation(data) -> dict:
    out = {}
    for dimension, cells in (data or {}).items():
        kept = {term: str(v).strip() for term, v in (cells or {}).items() if str(v or "").strip() != ""}
        if kept:
            out[dimension] = kept
    return out


@transaction.atomic
def value_save(*, value: Value, by, data: dict, reason: str = "", check_permission: bool = True) -> Value:
    """Store what was typed (valid or not) and record every change in the history."""
    value = (
        Value.objects.for_institution(value.institution_id)
        .select_for_update()
        .select_related("cycle_area__cycle", "indicator")
        .get(pk=value.pk)
    )
    cycle_area = value.cycle_area
    if check_permission:
        _require_respondent(cycle_area, by)
    _require_editable(cycle_area)
    changes = []
    for field in VALUE_FIELDS:
        if field not in data:
            continue
        new = data[field]
        if field == "answer":
            new, value.number = validation.normalise(value.indicator, new)
        elif field == "disaggregation":
            new = _clean_disaggregation(new)
        elif isinstance(new, str):
            new = new.strip()
        if field == "confidence" and new not in ("", "high", "medium", "low"):
            new = ""
        old = getattr(value, field)
        if old != new:
            changes.append((field, _display(old), _display(new)))
            setattr(value, field, new)
    if changes:
        value.updated_at = timezone.now()
        value.updated_by = by
        value.save()
        ValueHistory.objects.bulk_create(
            [
                ValueHistory(
                    institution_id=value.institution_id, value=value, field=f, old=o, new=n, reason=reason, by=by
                )
                for f, o, n in changes
            ]
        )
    return value


ALLOWED_UPLOADS = {
    ".pdf": (b"%PDF",),
    ".png": (b"\x89PNG",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".odt": (b"PK\x03\x04",),
    ".ods": (b"PK\x03\x04",),
    ".txt": None,
    ".csv": None,
}
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def validate_upload(upload):
    """Allowed types, checked by content (magic bytes), and a size limit."""
    name = os.path.basename(upload.name or "")
    ext = os.path.splitext(name)[1].lower()
    if ext not in ALLOWED_UPLOADS:
        raise ValidationError({"file": _("Allowed files: PDF, PNG, JPEG, DOCX, XLSX, ODT, ODS, TXT, CSV.")})
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": _("Files may be at most 10 MB.")})
    head = upload.read(8)
    upload.seek(0)
    magic = ALLOWED_UPLOADS[ext]
    if magic is None:
        if b"\x00" in upload.read(4096):
            upload.seek(0)
            raise ValidationError({"file": _("This file does not look like text.")})
        upload.seek(0)
    elif not any(head.startswith(m) for m in magic):
        raise ValidationError({"file": _("The file's content does not match its type.")})
    return name


@transaction.atomic
def source_add(
    *,
    value: Value,
    by,
    kind: str,
    citation: str,
    url: str = "",
    date=None,
    upload=None,
    confidential: bool = False,
    check_permission: bool = True,
) -> Source:
    cycle_area = value.cycle_area
    if check_permission:
        _require_respondent(cycle_area, by)
    _require_editable(cycle_area)
    if kind not in Source.Kind.values:
        raise ValidationError({"kind": _("Choose the kind of source.")})
    file_name = validate_upload(upload) if upload else ""
    citation = (citation or "").strip() or file_name or (url or "").strip()
    if not citation:
        raise ValidationError({"citation": _("Describe the source (title, law, interview...).")})
    source = Source(
        institution_id=value.institution_id,
        value=value,
        kind=kind,
        citation=citation[:500],
        url=url or "",
        date=date,
        confidential=confidential,
        added_by=by,
        file_name=file_name[:200],
    )
    if upload:
        # The stored name never contains the user's file name (it may identify someone).
        source.file.save(
            f"{value.institution_id}-{timezone.now():%Y%m%d%H%M%S%f}{os.path.splitext(file_name)[1].lower()}",
            upload,
            save=False,
        )
    source.full_clean(exclude=["value", "file"])
    source.save()
    ValueHistory.objects.create(
        institution_id=value.institution_id,
        value=value,
        field="source",
        new=("[confidential] " if confidential else "") + source.citation,
        by=by,
    )
    return source


@transaction.atomic
def source_remove(*, source: Source, by) -> None:
    value = source.value
    _require_respondent(value.cycle_area, by)
    _require_editable(value.cycle_area)
    ValueHistory.objects.create(
        institution_id=value.institution_id,
        value=value,
        field="source",
        old=source.citation,
        by=by,
        reason=_("source removed"),
    )
    if source.file:
        source.file.delete(save=False)
    source.delete()


def _locked_area(cycle_area: CycleArea) -> CycleArea:
    return (
        CycleArea.objects.for_institution(cycle_area.institution_id)
        .select_for_update()
        .select_related("cycle", "area")
        .get(pk=cycle_area.pk)
    )


@transaction.atomic
def cycle_area_submit(*, cycle_area: CycleArea, by) -> CycleArea:
    """Submit an area for review; refused while any value has an error. Snapshots computed figures."""
    cycle_area = _locked_area(cycle_area)
    _require_respondent(cycle_area, by)
    if cycle_area.status not in (CycleArea.Status.DRAFT, CycleArea.Status.RETURNED) or cycle_area.cycle.is_published:
        raise TransitionError(_("Only an area in progress or returned can be submitted."))
    issues = selectors.area_issues(institution=cycle_area.institution_id, cycle_area=cycle_area)
    errors = {code: [i for i in found if i.level == validation.ERROR] for code, found in issues.items()}
    errors = {code: found for code, found in errors.items() if found}
    if errors:
        raise ValidationError(
            [
                _("%(code)s: %(message)s") % {"code": code, "message": i.message}
                for code, found in errors.items()
                for i in found
            ]
        )
    now = timezone.now()
    cycle = cycle_area.cycle
    for value in cycle_area.values.select_related("indicator").exclude(indicator__computation=""):
        value.computed_value = computations.compute(
            value.indicator.computation,
            institution=cycle.institution,
            date_from=cycle.period_start,
            date_to=cycle.period_end,
        )
        value.computed_at = now
        value.save(update_fields=["computed_value", "computed_at"])
    cycle_area.status = CycleArea.Status.SUBMITTED
    cycle_area.submitted_at = now
    cycle_area.submitted_by = by
    cycle_area.save(update_fields=["status", "submitted_at", "submitted_by"])
    if (
        cycle.submitted_at is None
        and not cycle.areas.filter(status__in=[CycleArea.Status.DRAFT, CycleArea.Status.RETURNED]).exists()
    ):
        # The first moment every covered area reached the reviewer: the cycle's submission date.
        cycle.submitted_at = now
        cycle.save(update_fields=["submitted_at"])
    _event(cycle, "submit", by, cycle_area=cycle_area)
    _notify(
        [cycle.reviewer],
        _("r2dr: an area is ready for your review"),
        _("%(area)s was submitted for review. Sign in to r2dr to review it.") % {"area": _area_text(cycle_area)},
    )
    return cycle_area


def _require_reviewer(cycle_area: CycleArea, by):
    if by is None or cycle_area.cycle.reviewer_id != by.pk:
        raise PermissionDenied(_("Only the cycle's reviewer can do this."))


@transaction.atomic
def cycle_area_return(*, cycle_area: CycleArea, by, comments: dict, note: str = "") -> CycleArea:
    """Return a submitted area; `comments` maps indicator codes to what must change."""
    cycle_area = _locked_area(cycle_area)
    _require_reviewer(cycle_area, by)
    if cycle_area.status != CycleArea.Status.SUBMITTED:
        raise TransitionError(_("Only a submitted area can be returned."))
    comments = {code: text.strip() for code, text in comments.items() if text and text.strip()}
    if not comments and not note.strip():
        raise ValidationError(_("Say what must change: comment on at least one indicator."))
    for value in cycle_area.values.select_related("indicator"):
        comment = comments.get(value.indicator.code, "")
        if value.review_comment != comment:
            value.review_comment = comment
            value.save(update_fields=["review_comment"])
    cycle_area.status = CycleArea.Status.RETURNED
    cycle_area.returned_at = timezone.now()
    cycle_area.review_note = note.strip()
    cycle_area.save(update_fields=["status", "returned_at", "review_note"])
    _notify(
        list(cycle_area.respondents.all()),
        _("r2dr: an area was returned to you"),
        _("%(area)s was returned with comments on %(n)s indicator(s). Sign in to r2dr to see them.")
        % {"area": _area_text(cycle_area), "n": len(comments)},
    )
    _event(
        cycle_area.cycle,
        "return",
        by,
        cycle_area=cycle_area,
        note="\n".join([note.strip()] + [f"{c}: {t}" for c, t in comments.items()]).strip(),
    )
    return cycle_area


def _snapshot(value: Value) -> dict:
    return {
        "answer": value.answer,
        "narrative": value.narrative,
        "confidence": value.confidence,
        "disaggregation": value.disaggregation,
        "justification": value.justification,
        "sources": sorted(s.citation for s in value.sources.all()),
    }


@transaction.atomic
def cycle_area_approve(*, cycle_area: CycleArea, by, note: str = "") -> CycleArea:
    cycle_area = _locked_area(cycle_area)
    _require_reviewer(cycle_area, by)
    if cycle_area.status != CycleArea.Status.SUBMITTED:
        raise TransitionError(_("Only a submitted area can be approved."))
    for value in cycle_area.values.prefetch_related("sources"):
        value.approved_snapshot = _snapshot(value)
        value.review_comment = ""
        value.save(update_fields=["approved_snapshot", "review_comment"])
    cycle_area.status = CycleArea.Status.APPROVED
    cycle_area.approved_at = timezone.now()
    cycle_area.approved_by = by
    cycle_area.review_note = note.strip()
    cycle_area.save(update_fields=["status", "approved_at", "approved_by", "review_note"])
    _event(cycle_area.cycle, "approve", by, cycle_area=cycle_area, note=note)
    _notify(
        list(cycle_area.respondents.all()),
        _("r2dr: an area was approved"),
        _("%(area)s was approved and is now locked.") % {"area": _area_text(cycle_area)},
    )
    return cycle_area


@transaction.atomic
def cycle_area_reopen(*, cycle_area: CycleArea, by, reason: str) -> CycleArea:
    cycle_area = _locked_area(cycle_area)
    roles = _roles(by, cycle_area.institution_id)
    if cycle_area.cycle.reviewer_id != getattr(by, "pk", None) and Role.INSTITUTION_HEAD not in roles:
        raise PermissionDenied(_("Only the reviewer or the institution head can reopen an approved area."))
    if cycle_area.status != CycleArea.Status.APPROVED or cycle_area.cycle.is_published:
        raise TransitionError(_("Only an approved area of an unpublished cycle can be reopened."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for reopening.")})
    cycle_area.status = CycleArea.Status.DRAFT
    cycle_area.save(update_fields=["status"])
    _event(cycle_area.cycle, "reopen", by, cycle_area=cycle_area, note=reason.strip())
    return cycle_area


@transaction.atomic
def cycle_area_set_conclusions(*, cycle_area: CycleArea, by, findings: str, recommendations: str) -> CycleArea:
    """The institution's findings and recommendations for an area (they go into its national report)."""
    cycle_area = _locked_area(cycle_area)
    roles = _roles(by, cycle_area.institution_id)
    is_respondent = cycle_area.respondents.filter(pk=getattr(by, "pk", None)).exists()
    if not (is_respondent or cycle_area.cycle.reviewer_id == getattr(by, "pk", None) or Role.INSTITUTION_HEAD in roles):
        raise PermissionDenied(_("Only respondents, the reviewer or the head write the conclusions."))
    if cycle_area.cycle.is_published:
        raise TransitionError(_("This cycle is published; its conclusions are final."))
    cycle_area.findings = findings.strip()
    cycle_area.recommendations = recommendations.strip()
    cycle_area.save(update_fields=["findings", "recommendations"])
    _event(cycle_area.cycle, "conclusions", by, cycle_area=cycle_area)
    return cycle_area


@transaction.atomic
def cycle_publish(*, cycle: Cycle, by) -> Cycle:
    cycle = Cycle.objects.for_institution(cycle.institution_id).select_for_update().get(pk=cycle.pk)
    if Role.INSTITUTION_HEAD not in _roles(by, cycle.institution_id):
        raise PermissionDenied(_("Only the institution head publishes a cycle."))
    if cycle.is_published:
        raise TransitionError(_("This cycle is already published."))
    pending = [ca.area.code for ca in cycle.areas.select_related("area") if ca.status != CycleArea.Status.APPROVED]
    if pending:
        raise TransitionError(
            _("Every area must be approved first (pending: %(areas)s).") % {"areas": ", ".join(pending)}
        )
    cycle.status = Cycle.Status.PUBLISHED
    cycle.published_at = timezone.now()
    cycle.published_by = by
    cycle.save(update_fields=["status", "published_at", "published_by"])
    _event(cycle, "publish", by)
    return cycle


# --- import ------------------------------------------------------------------------------------------------


class ImportRejected(ValidationError):
    """The file had errors; nothing was saved. `row_errors` is [(row number, message)]."""

    def __init__(self, row_errors):
        self.row_errors = row_errors
        super().__init__([f"Row {n}: {m}" for n, m in row_errors])


@transaction.atomic
def cycle_import(*, cycle: Cycle, by, rows: list[dict]) -> int:
    """Apply an exported sheet filled offline. All rows or none: any row error rejects the whole file."""
    values = {
        v.indicator.code: v
        for v in Value.objects.for_institution(cycle.institution_id)
        .filter(cycle=cycle)
        .select_related("indicator", "cycle_area__area")
        .prefetch_related("cycle_area__respondents", "sources")
    }
    errors, planned = [], []
    for number, row in enumerate(rows, start=2):
        code = (row.get("indicator_code") or "").strip()
        if not code and not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        value = values.get(code)
        if value is None:
            errors.append((number, _("unknown indicator code “%(code)s” for this cycle") % {"code": code}))
            continue
        cycle_area = value.cycle_area
        if by.pk not in {u.pk for u in cycle_area.respondents.all()}:
            errors.append((number, _("you are not a respondent of area %(area)s") % {"area": cycle_area.area.code}))
            continue
        if not cycle_area.is_editable or cycle.is_published:
            errors.append(
                (
                    number,
                    _("area %(area)s is locked (%(status)s)")
                    % {"area": cycle_area.area.code, "status": cycle_area.get_status_display()},
                )
            )
            continue
        answer = (row.get("answer") or "").strip()
        normalised, _number = validation.normalise(value.indicator, answer)
        type_errors = [
            i
            for i in validation.check(
                value.indicator, answer=normalised, narrative=row.get("narrative") or "", source_count=1
            )
            if i.level == validation.ERROR and i.code in ("type", "range")
        ]
        for issue in type_errors:
            errors.append((number, f"{code}: {issue.message}"))
        confidence = (row.get("confidence") or "").strip().lower()
        if confidence not in ("", "high", "medium", "low"):
            errors.append((number, _("confidence must be high, medium or low")))
        source = None
        citation = (row.get("new_source") or "").strip()
        if citation:
            kind = (row.get("new_source_kind") or "document").strip()
            if kind not in Source.Kind.values:
                errors.append((number, _("unknown source kind “%(kind)s”") % {"kind": kind}))
            source_date = None
            if (row.get("new_source_date") or "").strip():
                try:
                    source_date = datetime.date.fromisoformat(row["new_source_date"].strip()[:10])
                except ValueError:
                    errors.append((number, _("source date must be YYYY-MM-DD")))
            source_url = (row.get("new_source_url") or "").strip()
            if source_url:
                try:
                    URLValidator(schemes=["http", "https"])(source_url)
                except ValidationError:
                    errors.append((number, _("the source's web address is not valid")))
            source = {
                "kind": kind,
                "citation": citation,
                "url": (row.get("new_source_url") or "").strip(),
                "date": source_date,
            }
        data = {"answer": answer, "narrative": row.get("narrative") or "", "confidence": confidence}
        if "justification" in row:
            data["justification"] = row.get("justification") or ""
        planned.append((value, data, source))
    if errors:
        raise ImportRejected(errors)
    for value, data, source in planned:
        value_save(value=value, by=by, data=data, reason=_("imported from file"))
        if source and source["citation"] not in {s.citation for s in value.sources.all()}:
            source_add(value=value, by=by, **source)
    _event(cycle, "import", by, note=_("%(n)s rows imported") % {"n": len(planned)})
    return len(planned)
