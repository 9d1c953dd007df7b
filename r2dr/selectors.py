"""Reads of the r2dr app: members and invitations of one institution, and the regional list of institutions."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from r2dr.models import (
    Institution,
    Invitation,
    Membership,
    UserSettings,
    invitation_opened_hash,
    invitation_token_hash,
)


def institution_members(*, institution: Institution | int) -> QuerySet[Membership]:
    return Membership.objects.filter(institution=institution).select_related("user").order_by("user__email", "role")


def institution_open_invitations(*, institution: Institution | int) -> QuerySet[Invitation]:
    return Invitation.objects.filter(institution=institution, accepted_at__isnull=True, revoked_at__isnull=True)


def institution_membership(*, institution: Institution | int, membership_id: int) -> Membership:
    return Membership.objects.select_related("user").get(institution=institution, pk=membership_id)


def institution_invitation(*, institution: Institution | int, invitation_id: int) -> Invitation:
    return Invitation.objects.get(institution=institution, pk=invitation_id)


def invitation_link_was_opened(*, token: str) -> bool:
    """Whether a link's token belongs to an invitation whose link was already opened (and so is dead)."""
    return Invitation.objects.filter(token_hash=invitation_opened_hash(invitation_token_hash(token))).exists()


def invitation_pending(*, invitation_id: int | None) -> Invitation | None:
    """The open invitation a session obtained by opening its link, or None."""
    if invitation_id is None:
        return None
    invitation = Invitation.objects.select_related("institution").filter(pk=invitation_id).first()
    return invitation if invitation is not None and invitation.is_open else None


def user_time_zone_name(*, user: Any) -> str:
    """The zone a person chose for themselves ("" when they chose none)."""
    if not getattr(user, "is_authenticated", False):
        return ""
    return UserSettings.objects.filter(user=user).values_list("time_zone", flat=True).first() or ""


def institutions_in_service() -> QuerySet[Institution]:
    """The institutions the platform serves the public and the region for: active, and not a training cohort's
    practice institution. Every public, regional, receipt-lookup and API list of institutions starts here."""
    return Institution.objects.filter(is_active=True, is_practice=False)


def regional_institutions() -> QuerySet[Institution]:
    """Every institution in service with its member counts: no tenant content."""
    return institutions_in_service().annotate(member_count=Count("memberships", filter=~Q(memberships__role="trainee")))
