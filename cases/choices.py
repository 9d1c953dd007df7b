"""The fixed vocabularies of a case (status, workflow, urgency, who was affected...): choices for the models and
forms, and the rules of the workflow that read them. `cases.models` re-exports every name."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    ASSESSMENT = "assessment", _("Being assessed")
    VERIFICATION = "verification", _("Being verified")
    ACTION = "action", _("Action taken")
    CLOSED = "closed", _("Closed")


STATUS_ORDER = [s.value for s in Status]
# "Verified or later": the case passed verification (verified_at is set when it does).
VERIFIED_STATUSES = (Status.ACTION, Status.CLOSED)


class DatePrecision(models.TextChoices):
    DAY = "day", _("Exact date")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year only")


class AffectedKind(models.TextChoices):
    INDIVIDUAL = "individual", _("One person")
    SEVERAL = "several", _("Several people")
    ORGANISATION = "organisation", _("A group, community or organisation")


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    NON_BINARY = "non_binary", _("Non-binary or another gender")
    MIXED = "mixed", _("Several people of different genders")
    UNDISCLOSED = "undisclosed", _("Prefer not to say")


class AgeGroup(models.TextChoices):
    CHILD = "under_18", _("Under 18")
    YOUNG = "18_29", _("18–29")
    ADULT = "30_59", _("30–59")
    OLDER = "60_plus", _("60 or older")
    MIXED = "mixed", _("Several age groups")
    UNDISCLOSED = "undisclosed", _("Prefer not to say")


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


# Response-time targets: the first substantive step (leaving "received") is due this long after receipt.
URGENCY_TARGET_HOURS = {Urgency.ROUTINE: 30 * 24, Urgency.HIGH: 7 * 24, Urgency.URGENT: 48}


class Outcome(models.TextChoices):
    INADMISSIBLE = "inadmissible", _("Not admissible")
    NOT_SUBSTANTIATED = "not_substantiated", _("No reasonable grounds to believe")
    WITHDRAWN = "withdrawn", _("Withdrawn by the person who reported")
    RESOLVED = "resolved", _("Resolved")
    REFERRED = "referred", _("Referred to another body")
    PROTECTION = "protection", _("Protection provided")
    NO_FURTHER_ACTION = "no_further_action", _("No further action possible")
    MERGED = "merged", _("Merged into another case")


# The workflow, following NHRI complaint handling: received -> assessment -> verification -> action -> closed. A case
# can be closed from assessment (not admissible, withdrawn) or verification (no reasonable grounds, withdrawn);
# nothing leaves "closed" and no step is skipped. Keyed by plain strings because they are looked up with the status
# as stored (a str); a Status member hashes and compares as its value, so either finds the entry.
TRANSITIONS: dict[str, set[str]] = {
    Status.RECEIVED: {Status.ASSESSMENT},
    Status.ASSESSMENT: {Status.VERIFICATION, Status.CLOSED},
    Status.VERIFICATION: {Status.ACTION, Status.CLOSED},
    Status.ACTION: {Status.CLOSED},
    Status.CLOSED: set(),
}
CLOSING_OUTCOMES: dict[str, set[str]] = {
    Status.ASSESSMENT: {Outcome.INADMISSIBLE, Outcome.WITHDRAWN},
    Status.VERIFICATION: {Outcome.NOT_SUBSTANTIATED, Outcome.WITHDRAWN},
    Status.ACTION: {
        Outcome.RESOLVED,
        Outcome.REFERRED,
        Outcome.PROTECTION,
        Outcome.NO_FURTHER_ACTION,
        Outcome.WITHDRAWN,
    },
}


class Origin(models.TextChoices):
    """How the institution learned of a case: the public form, or staff recording what they learned themselves."""

    PUBLIC_FORM = "public_form", _("Public report form")
    MONITORING = "monitoring", _("The institution's own monitoring")
    MEDIA = "media", _("Media report")
    PARTNER = "partner", _("Partner organisation")
    OTHER = "other", _("Another source")


class Inadmissibility(models.TextChoices):
    RESPONDENT = "respondent", _("The respondent is outside the mandate")
    TIME_LIMIT = "time_limit", _("Outside the time limit")
    SUB_JUDICE = "sub_judice", _("Before a court (sub judice)")
    OUT_OF_MANDATE = "out_of_mandate", _("Otherwise outside the mandate")


class RespondentType(models.TextChoices):
    STATE = "state", _("State authority or official")
    NON_STATE_ACQUIESCENCE = "non_state_acquiescence", _("Non-State actor with State acquiescence")
    NON_STATE = "non_state", _("Non-State actor")
    UNKNOWN = "unknown", _("Not known yet")
