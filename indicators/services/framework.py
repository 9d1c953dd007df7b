"""Writes on the framework (regional): draft versions, their indicators and areas, publication, monitoring rounds.

Only regional admins write here; a published version is never changed (a new draft copies it)."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators import computations
from indicators.models import (
    INDICATOR_EDITABLE_FIELDS,
    Area,
    Attribute,
    FrameworkVersion,
    Indicator,
    MonitoringRound,
)
from indicators.rating import validate_rule
from indicators.services._common import TransitionError, require_regional_admin


@transaction.atomic
def framework_version_create_draft(*, based_on: FrameworkVersion, by: User, title: str = "") -> FrameworkVersion:
    """A new draft version copying `based_on` entirely; codes are kept so cycles compare across versions."""
    require_regional_admin(by)
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


@transaction.atomic
def indicator_update(*, indicator: Indicator, by: User, data: dict[str, Any]) -> Indicator:
    require_regional_admin(by)
    version = FrameworkVersion.objects.select_for_update().get(pk=indicator.version_id)
    if not version.is_editable:
        raise ValidationError(_("Published framework versions cannot be changed; create a new draft version."))
    problems = validate_rule(data.get("rating_rule", indicator.rating_rule))
    if problems:
        raise ValidationError({"rating_rule": problems})
    if data.get("computation") and data["computation"] not in computations.REGISTRY:
        raise ValidationError({"computation": _("Unknown computation.")})
    return _indicator_fields_save(indicator, data)


def _indicator_fields_save(indicator: Indicator, data: dict[str, Any]) -> Indicator:
    """Copy the editable fields present in `data`, validate and save (the caller holds the transaction)."""
    for field in INDICATOR_EDITABLE_FIELDS:
        if field in data:
            setattr(indicator, field, data[field])
    indicator.full_clean(exclude=["version", "attribute"])
    indicator.save()
    return indicator


@transaction.atomic
def indicator_create(*, version: FrameworkVersion, attribute: Attribute, by: User, data: dict[str, Any]) -> Indicator:
    require_regional_admin(by)
    if not version.is_editable or attribute.version_id != version.pk:
        raise ValidationError(_("Indicators can only be added to a draft version."))
    indicator = Indicator(version=version, attribute=attribute, order=version.indicators.count() + 1)
    indicator.code = data.pop("code")
    if version.indicators.filter(code=indicator.code).exists():
        raise ValidationError({"code": _("This code is already used in this version.")})
    return _indicator_fields_save(indicator, data)


@transaction.atomic
def area_update(
    *, area: Area, by: User, data: dict[str, Any], attributes: dict[str, dict[str, str]] | None = None
) -> Area:
    """Texts of an area and of its attributes (`attributes`: {attribute code: {field: text}}) in a draft."""
    require_regional_admin(by)
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
def framework_version_publish(*, version: FrameworkVersion, by: User) -> FrameworkVersion:
    require_regional_admin(by)
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
def round_open(
    *,
    year: int,
    title: str,
    version: FrameworkVersion,
    due_date: datetime.date,
    by: User,
    opens_on: datetime.date | None = None,
) -> MonitoringRound:
    require_regional_admin(by)
    if version.status != FrameworkVersion.Status.PUBLISHED:
        raise ValidationError(_("A round must use a published framework version."))
    return MonitoringRound.objects.create(
        year=year, title=title, version=version, due_date=due_date, opens_on=opens_on or timezone.localdate()
    )


@transaction.atomic
def round_set_open(*, monitoring_round: MonitoringRound, by: User, is_open: bool) -> MonitoringRound:
    """Close a round (no new cycles join it; open cycles continue) or open it again."""
    require_regional_admin(by)
    monitoring_round.is_open = is_open
    monitoring_round.save(update_fields=["is_open"])
    return monitoring_round
