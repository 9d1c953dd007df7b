"""Models of the cases app.

Two kinds of data live on a case:
- structured, non-identifying fields in clear (country, dates, violation types, defender group, perpetrator
  category, status, consents) that statistics and computed indicators read;
- everything identifying (names, contacts, narrative, place details, messages, files) encrypted under the case's
  own random key (see cases/crypto.py and docs/threat-model.md).
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

# The case's vocabularies live in cases/choices.py; callers import them from here.
from cases.choices import (
    CLOSING_OUTCOMES,  # noqa: F401 - re-exported
    STATUS_ORDER,  # noqa: F401 - re-exported
    TRANSITIONS,  # noqa: F401 - re-exported
    URGENCY_TARGET_HOURS,
    VERIFIED_STATUSES,
    AffectedKind,
    AgeGroup,
    DatePrecision,
    Gender,
    Inadmissibility,
    Origin,
    Outcome,
    RespondentType,
    Status,
    Urgency,
)
from r2dr.i18n import TranslatableMixin
from r2dr.tenancy import TenantModel

# --- taxonomies (regional data, translatable) ---------------------------------------------------------


class Taxonomy(TranslatableMixin, models.Model):
    code = models.SlugField(max_length=60, unique=True)
    label = models.CharField(_("label"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveIntegerField(default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True
        ordering = ["order", "label"]

    def __str__(self):
        return self.tr("label")


class SdgAct(models.TextChoices):
    """The five acts of SDG indicator 16.10.1, most serious first: a victim of several counts under the first."""

    KILLING = "killing", _("Killing")
    ENFORCED_DISAPPEARANCE = "enforced_disappearance", _("Enforced disappearance")
    TORTURE = "torture", _("Torture")
    ARBITRARY_DETENTION = "arbitrary_detention", _("Arbitrary detention")
    KIDNAPPING = "kidnapping", _("Kidnapping")


class ViolationType(Taxonomy):
    sdg_16101 = models.BooleanField(_("counts for SDG 16.10.1"), default=False)
    # Which of the indicator's five acts this violation is (blank: none), so a code a regional admin adds is
    # counted by setting it here, without a code change.
    sdg_16101_act = models.CharField(
        _("SDG 16.10.1 act"),
        max_length=24,
        choices=SdgAct.choices,
        blank=True,
        help_text=_("Which of the five acts SDG indicator 16.10.1 counts this violation as, if any."),
    )


class DefenderGroup(Taxonomy):
    pass


class PerpetratorKind(models.TextChoices):
    STATE = "state", _("State actor")
    NON_STATE = "non_state", _("Non-State actor")
    UNKNOWN = "unknown", _("Unknown")


class PerpetratorType(Taxonomy):
    kind = models.CharField(max_length=16, choices=PerpetratorKind.choices)


class Right(Taxonomy):
    declaration_articles = models.CharField(
        _("articles of the UN Declaration on Human Rights Defenders"), max_length=100, blank=True
    )


class ProtectionMechanism(TranslatableMixin, models.Model):
    """An organisation defenders at risk can turn to. Regional rows have no institution; an institution may add
    its own. Not a TenantModel because regional rows (institution NULL) are shared by all; views filter by
    `institution IS NULL OR institution = request.institution`."""

    institution = models.ForeignKey("r2dr.Institution", null=True, blank=True, on_delete=models.CASCADE)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("what they offer"))
    url = models.URLField(_("web address"), blank=True)
    contact = models.CharField(_("how to reach them"), max_length=300, blank=True)
    urgent = models.BooleanField(_("emergency support"), default=True)
    order = models.PositiveIntegerField(default=100)
    is_active = models.BooleanField(_("shown"), default=True)

    class Meta:
        ordering = ["order", "name"]
        indexes = [models.Index(fields=["institution", "is_active"])]

    def __str__(self):
        return self.tr("name")


# --- per-institution settings ----------------------------------------------------------------------------


class CaseSettings(TenantModel):
    intake_open = models.BooleanField(_("the public form accepts reports"), default=True)
    share_regional_statistics = models.BooleanField(_("share anonymised case statistics regionally"), default=False)
    min_cell = models.PositiveSmallIntegerField(_("smallest published count"), null=True, blank=True)
    retention_years = models.PositiveSmallIntegerField(_("years a closed case is kept"), default=10)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["institution"], name="cases_settings_one_per_institution")]


# --- keys ------------------------------------------------------------------------------------------------


class Keyring(TenantModel):
    """One version of an institution's key pair. Exactly one active per institution; revoking an officer
    creates a new version and re-seals every case key to it."""

    version = models.PositiveIntegerField()
    public_key = models.BinaryField()
    recovery_public_key = models.BinaryField()
    # Institution private key sealed to the offline recovery kit's public key.
    recovery_sealed_private = models.BinaryField()
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["institution", "version"], name="cases_keyring_version"),
            models.UniqueConstraint(
                fields=["institution"], condition=models.Q(is_active=True), name="cases_keyring_one_active"
            ),
        ]


class OfficerKey(TenantModel):
    """A case officer's own key pair; the private half wrapped under Argon2id(case passphrase)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    public_key = models.BinaryField()
    wrapped_private = models.BinaryField()
    salt = models.BinaryField()
    kdf = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["institution", "user"], name="cases_officerkey_one_per_user")]


class KeyGrant(TenantModel):
    """The institution private key (of one keyring version) sealed to one officer's public key."""

    keyring = models.ForeignKey(Keyring, on_delete=models.CASCADE, related_name="grants")
    officer_key = models.ForeignKey(OfficerKey, on_delete=models.CASCADE, related_name="grants")
    sealed_private = models.BinaryField()
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["institution", "keyring"])]


# --- cases -----------------------------------------------------------------------------------------------


def _reference():
    alphabet = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
    return "C-" + "".join(secrets.choice(alphabet) for _ in range(7))


class Case(TenantModel):
    reference = models.CharField(max_length=12, default=_reference, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    urgent = models.BooleanField(default=False)  # urgency == URGENT, kept for statistics and the intake
    urgency = models.CharField(max_length=8, choices=Urgency.choices, default=Urgency.ROUTINE)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    repeat_attack = models.BooleanField(default=False)
    # Set when the case was escalated to the institution head (urgent, repeat attack, or response target missed).
    escalated_at = models.DateTimeField(null=True, blank=True)
    origin = models.CharField(max_length=16, choices=Origin.choices, default=Origin.PUBLIC_FORM)
    # The keyring under which the keyed name digests were computed (None: not yet; they need an unlocked officer).
    names_keyring_id = models.PositiveIntegerField(null=True, blank=True)
    words_keyring_id = models.PositiveIntegerField(null=True, blank=True)  # the keyring its CaseWords are under
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Limited to the officers named in CaseAccess (conflict of interest, a complaint against the institution's staff).
    restricted = models.BooleanField(default=False)
    # Set when an officer marks this case a duplicate of another: kept whole, left out of statistics.
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    first_response_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Legal hold: never deleted by retention while set (litigation, an inquiry).
    legal_hold = models.BooleanField(default=False)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)
    verified_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=10, default="en")

    # When and where (in clear at the precision the submitter chose; details are encrypted).
    incident_date = models.DateField(null=True, blank=True)
    incident_date_precision = models.CharField(max_length=8, choices=DatePrecision.choices, default=DatePrecision.DAY)
    country_code = models.CharField(max_length=2)
    subregion = models.CharField(max_length=32)

    # Who (categories only).
    affected_kind = models.CharField(max_length=16, choices=AffectedKind.choices, default=AffectedKind.INDIVIDUAL)
    affected_count = models.PositiveIntegerField(default=1)
    gender = models.CharField(max_length=16, choices=Gender.choices, default=Gender.UNDISCLOSED)
    age_group = models.CharField(max_length=16, choices=AgeGroup.choices, default=AgeGroup.UNDISCLOSED)
    perpetrator_kind = models.CharField(max_length=16, choices=PerpetratorKind.choices, default=PerpetratorKind.UNKNOWN)
    state_acquiescence = models.BooleanField(default=False)

    violation_types = models.ManyToManyField(ViolationType, related_name="+", blank=True)
    defender_groups = models.ManyToManyField(DefenderGroup, related_name="+", blank=True)
    perpetrator_types = models.ManyToManyField(PerpetratorType, related_name="+", blank=True)
    rights = models.ManyToManyField(Right, related_name="+", blank=True)

    # Denormalised from the latest statistics consent, for statistics queries.
    consent_statistics = models.BooleanField(default=False)

    # Encryption: the case key sealed to the institution key (one keyring version) and wrapped by the receipt.
    keyring = models.ForeignKey(Keyring, on_delete=models.PROTECT, related_name="+")
    sealed_key = models.BinaryField()
    receipt_lookup = models.CharField(max_length=64, unique=True)
    receipt_salt = models.BinaryField()
    receipt_kdf = models.JSONField()
    receipt_wrapped_key = models.BinaryField()
    # JSON of identifying fields and narrative, AEAD-encrypted under the case key.
    payload = models.BinaryField()

    class Meta:
        indexes = [
            models.Index(fields=["institution", "status"]),
            models.Index(fields=["institution", "incident_date"]),
            models.Index(fields=["institution", "received_at"]),
            models.Index(fields=["institution", "consent_statistics", "incident_date"]),
            models.Index(fields=["institution", "assigned_to"]),
            # Cases not yet in the word index: asked before every word search.
            models.Index(fields=["institution", "words_keyring_id"], name="cases_case_words_keyring"),
        ]

    def __str__(self):
        return self.reference

    @property
    def response_due_at(self):
        return self.received_at + datetime.timedelta(hours=URGENCY_TARGET_HOURS[self.urgency])

    @property
    def response_overdue(self) -> bool:
        done = self.first_response_at or self.closed_at
        return (done or timezone.now()) > self.response_due_at

    @property
    def response_hours_left(self) -> int | None:
        """Whole hours until the response target (negative when overdue); None once answered or closed."""
        if self.first_response_at is not None or self.status == Status.CLOSED:
            return None
        return int((self.response_due_at - timezone.now()).total_seconds() // 3600)

    @property
    def response_timer(self) -> dict:
        """What the inbox shows: {"state": "done" | "due" | "overdue", "text": ...}. A closed case has no clock,
        even one closed without a recorded first response (imported, or closed before response times were kept)."""

        if self.status == Status.CLOSED:
            return {"state": "done", "text": gettext("closed")}
        hours = self.response_hours_left
        if hours is None:
            return {"state": "done", "text": gettext("responded")}
        span = abs(hours)
        if span >= 48:
            amount = ngettext("%(n)d day", "%(n)d days", span // 24) % {"n": span // 24}
        else:
            amount = ngettext("%(n)d hour", "%(n)d hours", span) % {"n": span}
        if hours < 0:
            return {"state": "overdue", "text": gettext("overdue by %(time)s") % {"time": amount}}
        return {"state": "due", "text": gettext("%(time)s left") % {"time": amount}}

    @property
    def incident_date_display(self) -> str:

        if self.incident_date is None:
            return "—"
        pattern = {"day": "j M Y", "month": "M Y"}.get(self.incident_date_precision, "Y")
        return date_format(self.incident_date, pattern)

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None and self.status in VERIFIED_STATUSES


class ConsentKind(models.TextChoices):
    CONTACT = "contact", _("The institution may contact me")
    UN = "un", _("Share with UN Special Procedures")
    PROTECTION = "protection", _("Share with protection organisations")
    STATISTICS = "statistics", _("Anonymised facts in statistics")


class ConsentAnswer(models.TextChoices):
    NO = "no", _("No")
    YES = "yes", _("Yes")
    YES_NAMED = "yes_named", _("Yes, with names")
    YES_ANONYMISED = "yes_anonymised", _("Yes, without names")


class Consent(TenantModel):
    """One consent decision, append-only: a change adds a row. The latest row per kind is in force."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(max_length=16, choices=ConsentKind.choices)
    answer = models.CharField(max_length=16, choices=ConsentAnswer.choices)
    wording = models.TextField()
    language = models.CharField(max_length=10)
    recorded_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=16, default="intake")  # intake | follow_up

    class Meta:
        ordering = ["recorded_at", "pk"]
        indexes = [models.Index(fields=["institution", "case", "kind"])]

    @property
    def granted(self) -> bool:
        return self.answer != ConsentAnswer.NO


class Direction(models.TextChoices):
    SUBMITTER = "submitter", _("From the person who reported")
    INSTITUTION = "institution", _("From the institution")


class CaseMessage(TenantModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=16, choices=Direction.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.BinaryField()  # encrypted under the case key
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["institution", "case", "created_at"], name="cases_msg_inst_case")]


class FileKind(models.TextChoices):
    IMAGE = "image", _("Image")
    PDF = "pdf", _("PDF document")
    AUDIO = "audio", _("Audio")
    VIDEO = "video", _("Video")


class CaseAttachment(TenantModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(CaseMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=8, choices=FileKind.choices)
    content_type = models.CharField(max_length=60)
    size = models.PositiveBigIntegerField()  # plaintext size
    storage_name = models.CharField(max_length=200)  # random name of the ciphertext file in media
    file_key = models.BinaryField()  # the random file key, AEAD-encrypted under the case key
    meta = models.BinaryField()  # encrypted JSON: original file name, SHA-256 of the plaintext
    uploaded_by_submitter = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["institution", "case", "created_at"], name="cases_att_inst_case")]


# Every case entry in the platform audit log has its action prefixed so the cases app can read back its own.
AUDIT_PREFIX = "cases."


class AccessAction(models.TextChoices):
    VIEW = "view", _("Opened the case")
    REPLY = "reply", _("Replied")
    FILE = "file", _("Opened a file")
    FILE_ORIGINAL = "file_original", _("Downloaded an original file")
    UNLOCK = "unlock", _("Unlocked case keys")
    RECOVER = "recover", _("Used the recovery kit")
    GRANT = "grant", _("Granted access")
    REVOKE = "revoke", _("Revoked access and rotated keys")
    SETUP = "setup", _("Set up institution keys")
    PASSPHRASE = "passphrase", _("Changed their case passphrase")
    KEY_REPLACED = "key_replaced", _("Replaced their lost case key")
    RESEAL = "reseal", _("Re-sealed cases to the new institution key")


class CaseTransition(TenantModel):
    """One step of the complaint-handling workflow: who, when, why (the reason is encrypted under the case key,
    since it may name people), plus the structured admissibility / verification facts in clear."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=16, choices=Status.choices)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    reason = models.BinaryField()
    respondent_type = models.CharField(max_length=24, choices=RespondentType.choices, blank=True)
    within_time_limit = models.BooleanField(null=True)
    sub_judice = models.BooleanField(null=True)
    inadmissibility = models.CharField(max_length=16, choices=Inadmissibility.choices, blank=True)
    reasonable_grounds = models.BooleanField(null=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["institution", "case"])]


class Reliability(models.TextChoices):
    RELIABLE = "reliable", _("Reliable")
    USUALLY = "usually", _("Usually reliable")
    FAIRLY = "fairly", _("Fairly reliable")
    DOUBTFUL = "doubtful", _("Doubtful")
    UNKNOWN = "unknown", _("Reliability unknown")


class SourceKind(models.TextChoices):
    SUBMITTER = "submitter", _("The person who reported")
    WITNESS = "witness", _("Witness")
    DOCUMENT = "document", _("Document or record")
    MEDIA = "media", _("Media")
    PARTNER = "partner", _("Partner organisation")
    OFFICIAL = "official", _("Official source")
    MONITORING = "monitoring", _("The institution's own monitoring")


class CaseSource(TenantModel):
    """A source consulted in verification, with its reliability; the description is encrypted."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sources")
    kind = models.CharField(max_length=16, choices=SourceKind.choices)
    reliability = models.CharField(max_length=16, choices=Reliability.choices, default=Reliability.UNKNOWN)
    description = models.BinaryField()
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "pk"]
        indexes = [models.Index(fields=["institution", "case"])]


class CaseAccess(TenantModel):
    """An officer named on a restricted case; only they see it in the inbox or open it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="named_officers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="cases_access_one_per_user")]
        indexes = [models.Index(fields=["institution", "user"])]


class InterventionKind(models.TextChoices):
    LETTER = "letter", _("Letter to an authority")
    VISIT = "visit", _("Visit (detention, site, authority)")
    TRIAL = "trial", _("Trial observation")
    URGENT_APPEAL = "urgent_appeal", _("Urgent appeal")
    REFERRAL = "referral", _("Referral to a protection organisation")
    RELOCATION = "relocation", _("Relocation support")
    RESPITE = "respite", _("Respite support")


class InterventionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    SENT = "sent", _("Sent or done, awaiting a response")
    RESPONDED = "responded", _("Response received")
    CLOSED = "closed", _("Closed")


class Intervention(TenantModel):
    """An action the institution took on a case (OpenEvSys's intervention): to whom, when, the response and the
    outcome. Addressee, details, response and outcome texts are encrypted under the case key."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="interventions")
    kind = models.CharField(max_length=16, choices=InterventionKind.choices)
    status = models.CharField(max_length=12, choices=InterventionStatus.choices, default=InterventionStatus.PLANNED)
    mechanism = models.ForeignKey(
        ProtectionMechanism, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    date_sent = models.DateField(null=True, blank=True)
    response_due = models.DateField(null=True, blank=True)
    response_received = models.DateField(null=True, blank=True)
    text = models.BinaryField()  # encrypted JSON: addressee, details, response, outcome
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Last overdue-response reminder e-mail (no content, only the case reference); reminders repeat weekly.
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["institution", "case"]),
            models.Index(fields=["institution", "status", "response_due"]),
        ]

    @property
    def response_overdue(self) -> bool:
        return (
            self.status == InterventionStatus.SENT
            and self.response_due is not None
            and self.response_due < timezone.localdate()
        )


UN_SECTIONS = 5  # the elements of a communication to UN Special Procedures
UN_SECTION_MAX_CHARS = 20_000


class UnCommunicationDraft(TenantModel):
    """The officer's own version of a case's draft communication to UN Special Procedures: every section as they
    edited it, and (when the consent is "without names") the anonymised account they wrote in place of the
    withheld narrative. One per case; the texts are encrypted under the case key, like every other case text."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="un_draft")
    text = models.BinaryField()  # encrypted JSON: {"sections": [five texts]}
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["institution", "case"])]


class StatisticsShare(TenantModel):
    """The institution's explicit decision to share its case statistics of one incident year with the region
    (counts only, from cases whose consent allows statistics). `CaseSettings.share_regional_statistics` is the
    standing decision for every year."""

    year = models.PositiveSmallIntegerField(_("incident year"))
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    shared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["institution", "year"], name="cases_statshare_one_per_year")]


class NameDigest(TenantModel):
    """A keyed hash of one normalised name on a case, for duplicate suggestions. The key is derived from the
    institution's private key (one keyring version), so only an unlocked officer can compute or test a name; a
    server-side key could not tell whether a named person complained."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="name_digests")
    keyring = models.ForeignKey(Keyring, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["institution", "keyring", "digest"])]
        constraints = [
            models.UniqueConstraint(fields=["case", "keyring", "digest"], name="cases_namedigest_unique"),
        ]


class CaseWord(TenantModel):
    """A keyed hash of one normalised word of a case's account (cases/search.py), for word search. Keyed like
    NameDigest, under a key of its own: only an unlocked officer can index a case or look a word up; the database
    alone links cases that share a word, but does not say which word."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="words")
    keyring = models.ForeignKey(Keyring, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=32)

    class Meta:
        # The search reads (institution, keyring, digest) -> case ids from this index alone.
        indexes = [models.Index(fields=["institution", "keyring", "digest", "case"], name="cases_caseword_lookup")]
        constraints = [
            models.UniqueConstraint(fields=["case", "keyring", "digest"], name="cases_caseword_unique"),
        ]


class CaseLink(TenantModel):
    """Two cases an officer linked: related (same defender, same events) or a duplicate. Both keep every
    source, message and file; a duplicate is left out of statistics so each victim counts once."""

    class Kind(models.TextChoices):
        RELATED = "related", _("Related")
        DUPLICATE = "duplicate", _("Duplicate (the other case is the main one)")
        REPEAT = "repeat", _("Same defender or organisation attacked again")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links_from")
    other = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links_to")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "other"], name="cases_link_once")]
        # Links are read from both ends, always within one institution.
        indexes = [
            models.Index(fields=["institution", "case"], name="cases_link_inst_case"),
            models.Index(fields=["institution", "other"], name="cases_link_inst_other"),
        ]


class SavedInboxView(TenantModel):
    """A named set of inbox filters (clear fields only), for one officer or shared with the institution's officers."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(max_length=600)  # the validated filter query string
    shared = models.BooleanField(_("visible to every case officer of the institution"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "user", "name"], name="cases_savedview_unique_name")
        ]

    def __str__(self):
        return self.name
