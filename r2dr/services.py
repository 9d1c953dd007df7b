"""Writes of the platform core: institutions, memberships, invitations."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from r2dr.models import (
    Institution,
    Invitation,
    Membership,
    SubRegion,
    UserSettings,
    invitation_opened_hash,
    invitation_token_hash,
)
from r2dr.moments import validate_time_zone
from r2dr.offboarding import offboarding_steps_run
from r2dr.onboarding import onboarding_steps_run
from r2dr.roles import CASE_ROLES, INSTITUTION_ROLES, REGIONAL_ROLES, Role


@transaction.atomic
def _practice_refuses(role: str, institution: Institution | None) -> None:
    if institution is not None and institution.is_practice and role in CASE_ROLES:
        raise ValidationError(_("A practice institution accepts no cases, so it has no case roles."))


def membership_grant(*, user: User, role: str, institution: Institution | None) -> Membership:
    _practice_refuses(role, institution)
    if role in REGIONAL_ROLES:
        institution = None
    elif role in INSTITUTION_ROLES and institution is None:
        raise ValidationError(_("This role needs an institution."))
    membership, _created = Membership.objects.get_or_create(user=user, institution=institution, role=role)
    return membership


def membership_revoke(*, membership: Membership, by: User | None) -> None:
    """End one role of a member (removing the last one removes the member): every offboarding step runs in the
    same transaction, so nothing the role gave (case key grants, tokens) outlives it."""
    with transaction.atomic():
        if membership.role == Role.INSTITUTION_ADMIN:
            admins = Membership.objects.filter(institution=membership.institution, role=Role.INSTITUTION_ADMIN)
            if admins.count() <= 1:
                raise ValidationError(_("An institution keeps at least one admin."))
        membership.delete()
        offboarding_steps_run(membership=membership, by=by)


@transaction.atomic
def invitation_create(
    *,
    email: str,
    role: str,
    institution: Institution | None,
    by: User | None,
    request: HttpRequest | None = None,
) -> tuple[Invitation, str]:
    """Create an invitation and e-mail its link; returns the invitation and token."""
    email = email.strip().lower()
    _practice_refuses(role, institution)
    if role in INSTITUTION_ROLES and institution is None:
        raise ValidationError(_("This role needs an institution."))
    if role in REGIONAL_ROLES:
        institution = None
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        institution=institution,
        email=email,
        role=role,
        token_hash=invitation_token_hash(token),
        invited_by=by,
        expires_at=timezone.now() + timedelta(days=settings.R2DR_INVITATION_DAYS),
    )
    # In the query string, which the access logs leave out; the token dies when the link is first opened.
    path = f"{reverse('invitation_accept')}?{urlencode({'token': token})}"
    link = request.build_absolute_uri(path) if request is not None else path
    body = render_to_string(
        "r2dr/email/invitation.txt",
        {"invitation": invitation, "link": link, "days": settings.R2DR_INVITATION_DAYS},
    )
    transaction.on_commit(lambda: send_mail(_("Your invitation to r2dr"), body, settings.DEFAULT_FROM_EMAIL, [email]))
    return invitation, token


def invitation_exchange(*, token: str) -> Invitation | None:
    """Trade a link's token for the open invitation it names, once: afterwards the token finds nothing, so a
    reader of an access log (which records the path) comes too late. None when the token names no open
    invitation."""
    with transaction.atomic():
        invitation = (
            # Only the invitation row is locked: PostgreSQL refuses FOR UPDATE on the nullable side of the join
            # to the institution (regional invitations have none).
            Invitation.objects.select_for_update(of=("self",))
            .select_related("institution")
            .filter(token_hash=invitation_token_hash(token))
            .first()
        )
        if invitation is None or not invitation.is_open:
            return None
        invitation.token_hash = invitation_opened_hash(invitation.token_hash)
        invitation.save(update_fields=["token_hash"])
    return invitation


def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.is_open:
            raise ValidationError(_("This invitation has expired, was revoked or was already used."))
        if user.email.lower() != invitation.email:
            raise ValidationError(_("This invitation was sent to another e-mail address."))
        membership = membership_grant(user=user, role=invitation.role, institution=invitation.institution)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


def user_create_from_invitation(*, invitation: Invitation, password: str, name: str = "") -> User:
    """A new account for an invited address: the e-mail is verified by the link itself."""
    User = get_user_model()
    with transaction.atomic():
        user = User(username=invitation.email[:150], email=invitation.email, first_name=name[:150])
        user.set_password(password)
        user.save()
        EmailAddress.objects.create(user=user, email=invitation.email, verified=True, primary=True)
        invitation_accept(invitation=invitation, user=user)
    return user


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User | None) -> None:
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])


def institution_onboard(
    *, data: dict[str, Any], admin_email: str, by: User | None, request: HttpRequest | None = None
) -> tuple[Institution, Invitation]:
    """A regional admin creates an institution and invites its first admin."""
    with transaction.atomic():
        institution = Institution(**data)
        institution.full_clean()
        institution.save()
        onboarding_steps_run(institution=institution, by=by)
        invitation, _token = invitation_create(
            email=admin_email, role=Role.INSTITUTION_ADMIN, institution=institution, by=by, request=request
        )
    return institution, invitation


def practice_institution_create(
    *, name: str, slug: str, time_zone: str, languages: list[str], by: User | None
) -> Institution:
    """A training cohort's practice institution (see Institution.is_practice): like an onboarded one, with every
    app's onboarding step, but invisible outside itself and with no admin to invite (the facilitator runs it)."""
    with transaction.atomic():
        institution = Institution(
            name=name,
            short_name=_("Practice"),
            slug=slug,
            country=_("Practice country"),
            country_code="ZZ",
            subregion=SubRegion.SOUTH_EAST_ASIA,
            languages=languages,
            time_zone=time_zone,
            is_practice=True,
        )
        institution.full_clean()
        institution.save()
        onboarding_steps_run(institution=institution, by=by)
    return institution


def institution_update(*, institution: Institution, data: dict[str, Any], by: User | None) -> Institution:
    with transaction.atomic():
        for field, value in data.items():
            setattr(institution, field, value)
        institution.full_clean()
        institution.save()
    return institution


def user_time_zone_set(*, user: User, time_zone: str) -> UserSettings:
    """Save the zone a person wants their times in ("" to follow each institution's)."""
    if time_zone:
        validate_time_zone(time_zone)
    row, _created = UserSettings.objects.update_or_create(
        user=user, defaults={"time_zone": time_zone, "updated_at": timezone.now()}
    )
    return row
