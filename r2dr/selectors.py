from django.db.models import Count, Q

from r2dr.models import Institution, Invitation, Membership


def institution_members(*, institution):
    return Membership.objects.filter(institution=institution).select_related("user").order_by("user__email", "role")


def institution_open_invitations(*, institution):
    return Invitation.objects.filter(institution=institution, accepted_at__isnull=True, revoked_at__isnull=True)


def institution_membership(*, institution, membership_id: int) -> Membership:
    return Membership.objects.select_related("user").get(institution=institution, pk=membership_id)


def institution_invitation(*, institution, invitation_id: int) -> Invitation:
    return Invitation.objects.get(institution=institution, pk=invitation_id)


def regional_institutions():
    """Every active institution with its member counts: no tenant content."""
    return Institution.objects.filter(is_active=True).annotate(
        member_count=Count("memberships", filter=~Q(memberships__role="trainee"))
    )
