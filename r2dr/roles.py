"""Roles a user can hold, and which of them belong to an institution."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DATA_OFFICER = "data_officer", _("Data officer")
    REVIEWER = "reviewer", _("Reviewer")
    CASE_OFFICER = "case_officer", _("Case officer")
    INSTITUTION_HEAD = "institution_head", _("Institution head")
    INSTITUTION_ADMIN = "institution_admin", _("Institution admin")
    TRAINEE = "trainee", _("Trainee")
    REGIONAL_ADMIN = "regional_admin", _("Regional admin (APF)")
    FACILITATOR = "facilitator", _("Facilitator")


INSTITUTION_ROLES = frozenset(
    {
        Role.DATA_OFFICER,
        Role.REVIEWER,
        Role.CASE_OFFICER,
        Role.INSTITUTION_HEAD,
        Role.INSTITUTION_ADMIN,
    }
)
REGIONAL_ROLES = frozenset({Role.REGIONAL_ADMIN, Role.FACILITATOR})
# The roles that handle defenders' cases (a practice institution has none: r2dr.services).
CASE_ROLES = frozenset({Role.CASE_OFFICER})
# Trainees may belong to an institution or take the course on their own.
FLEXIBLE_ROLES = frozenset({Role.TRAINEE})

# Staff roles that can see case data, or manage those who can, must use MFA.
MFA_REQUIRED_ROLES = frozenset({Role.CASE_OFFICER, Role.INSTITUTION_HEAD, Role.INSTITUTION_ADMIN, Role.REGIONAL_ADMIN})

# Convenience groups used by views' scope declarations.
INDICATOR_STAFF = frozenset({Role.DATA_OFFICER, Role.REVIEWER, Role.INSTITUTION_HEAD, Role.INSTITUTION_ADMIN})
ALL_STAFF = INSTITUTION_ROLES
