import hashlib
import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from r2dr.i18n import TranslatableMixin
from r2dr.moments import validate_time_zone
from r2dr.roles import INSTITUTION_ROLES, REGIONAL_ROLES, Role
from r2dr.tenancy import TenantModel

# Top-level URL segments that an institution slug must never shadow.
RESERVED_SLUGS = frozenset(
    {
        "accounts",
        "admin",
        "api",
        "static",
        "media",
        "healthz",
        "readyz",
        "i18n",
        "framework",
        "report",
        "regional",
        "training",
        "verify",
        "credentials",
        "invitations",
        "me",
        "reports",
        "dashboard",
        "about",
        "privacy",
        "cases",
        "follow-up",
        "followup",
        "indicators",
        "forum",
        "courses",
    }
)


class SubRegion(models.TextChoices):
    PACIFIC = "pacific", _("Pacific")
    SOUTH_EAST_ASIA = "south_east_asia", _("South-East Asia")
    SOUTH_ASIA = "south_asia", _("South Asia")
    CENTRAL_NORTH_EAST_ASIA = "central_north_east_asia", _("Central and North-East Asia")
    WEST_ASIA = "west_asia", _("West Asia")


def validate_slug_not_reserved(value):
    if value in RESERVED_SLUGS:
        raise ValidationError(_("“%(slug)s” is reserved; choose another short name."), params={"slug": value})


def validate_languages(value):
    codes = {code for code, _name in settings.LANGUAGES}
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Choose at least one language."))
    unknown = [v for v in value if v not in codes]
    if unknown:
        raise ValidationError(_("Unknown language code(s): %(codes)s"), params={"codes": ", ".join(unknown)})


class Institution(TranslatableMixin, models.Model):
    """A National Human Rights Institution: the tenant."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    slug = models.SlugField(_("URL name"), max_length=40, unique=True, validators=[validate_slug_not_reserved])
    country = models.CharField(_("country"), max_length=100)
    country_code = models.CharField(_("ISO country code"), max_length=2)
    subregion = models.CharField(_("sub-region"), max_length=32, choices=SubRegion.choices)
    languages = models.JSONField(_("languages"), default=list, validators=[validate_languages])
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # A training cohort's practice institution (issue 12, module 3): trainees fill in a practice cycle through the
    # real data-entry pages. It is in no public, regional or receipt path (r2dr.selectors.institutions_in_service,
    # TenantQuerySet.regional), accepts no cases and has no case roles.
    is_practice = models.BooleanField(_("practice institution (training)"), default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["country", "name"]

    def __str__(self):
        return self.tr("name")

    def clean(self):
        try:
            validate_time_zone(self.time_zone)
        except ValidationError as exc:
            raise ValidationError({"time_zone": exc.messages}) from exc


class Membership(models.Model):
    """A user's role in one institution, or a regional role (no institution)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    institution = models.ForeignKey(
        Institution, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "institution", "role"], name="membership_unique_role_per_institution"
            ),
            models.UniqueConstraint(
                fields=["user", "role"], condition=Q(institution__isnull=True), name="membership_unique_regional_role"
            ),
            models.CheckConstraint(
                condition=~Q(role__in=sorted(r.value for r in REGIONAL_ROLES)) | Q(institution__isnull=True),
                name="membership_regional_roles_have_no_institution",
            ),
            models.CheckConstraint(
                condition=~Q(role__in=sorted(r.value for r in INSTITUTION_ROLES)) | Q(institution__isnull=False),
                name="membership_institution_roles_need_institution",
            ),
        ]
        indexes = [models.Index(fields=["institution", "role"])]

    def __str__(self):
        where = self.institution.slug if self.institution_id else "regional"
        return f"{self.user} · {self.get_role_display()} · {where}"


def invitation_token_hash(token: str) -> str:
    """Invitations store only this digest of their token, so a database copy cannot accept them."""
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_opened_hash(token_hash: str) -> str:
    """What an invitation's digest becomes once its link was opened (exchanged for a session): the token in the
    link, which access logs may hold, then finds nothing, yet can still be told apart from a token never issued."""
    return hashlib.sha256(f"opened:{token_hash}".encode()).hexdigest()


class Invitation(models.Model):
    """An invitation to join an institution with a role.

    Only a SHA-256 of the token is stored: the token travels in the e-mail, and opening the link once exchanges it
    for the opener's session (`invitation_opened_hash`), so the token is dead in every log that recorded the path.
    """

    institution = models.ForeignKey(
        Institution, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["institution", "created_at"])]

    def __str__(self):
        return f"{self.email} ({self.role})"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


GENESIS = "0" * 64


class AuditHead(models.Model):
    """The last entry of one institution's audit chain; locked while appending."""

    institution = models.OneToOneField(Institution, on_delete=models.PROTECT, related_name="+")
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS)

    def __str__(self):
        return f"audit head {self.institution_id}#{self.seq}"


class AuditEntry(TenantModel):
    """One link of an institution's audit chain; appended only through `r2dr.audit.audit_append`."""

    seq = models.BigIntegerField()
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_ref = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        app_label = "r2dr"
        ordering = ["institution", "seq"]
        constraints = [models.UniqueConstraint(fields=["institution", "seq"], name="audit_unique_seq")]
        indexes = [models.Index(fields=["institution", "object_type", "object_ref"])]

    def __str__(self):
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_ref}"

    def canonical(self) -> bytes:
        payload = {
            "institution": self.institution_id,
            "seq": self.seq,
            "at": self.at.isoformat(),
            "actor": self.actor_label,
            "action": self.action,
            "object_type": self.object_type,
            "object_ref": self.object_ref,
            "detail": self.detail,
            "prev": self.prev_hash,
        }
        return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()


class NotificationDelivery(models.TextChoices):
    """How a person hears of a notification beyond the in-app count, which every notification joins."""

    IMMEDIATE = "immediate", _("An e-mail at once")
    DIGEST = "digest", _("One e-mail a day, listing what is still unread")
    OFF = "off", _("No e-mail (the count on the site only)")


class Notification(TenantModel):
    """That an event of a registered kind happened, for one person of one institution: no content.

    `reference` is an opaque label the recipient may be told (a case reference), `link` the site path of the page
    that shows the event to those entitled to it. Later events of the same kind on the same page, while the
    notification is unread, add to `events` instead of making a new one, so a burst of replies is one line and at
    most one e-mail. `delivery` is the recipient's choice when it was made; `emailed_at` says it went out."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=64)
    reference = models.CharField(max_length=32, blank=True)
    link = models.CharField(max_length=200)
    events = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    occurred_at = models.DateTimeField(default=timezone.now)
    delivery = models.CharField(max_length=16, choices=NotificationDelivery.choices)
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "recipient", "kind", "link"],
                condition=Q(read_at__isnull=True),
                name="notification_one_unread_per_event",
            ),
        ]
        indexes = [
            models.Index(fields=["institution", "recipient", "-occurred_at"], name="notification_list"),
            models.Index(
                fields=["institution", "recipient"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
            models.Index(
                fields=["institution", "delivery", "occurred_at"],
                condition=Q(emailed_at__isnull=True, read_at__isnull=True),
                name="notification_pending_mail",
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.reference} → {self.recipient_id}"


class UserSettings(models.Model):
    """A person's own settings, wherever they work. `time_zone` blank: times are shown in the zone of the
    institution whose page it is (regional pages: UTC); set, every page and reminder uses it instead."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="r2dr_settings")
    time_zone = models.CharField(_("my time zone"), max_length=64, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"settings of {self.user_id}"


class NotificationPreference(TenantModel):
    """One person's notification choices in one institution: the e-mail delivery per kind (kinds left out take
    their default) and the language of their e-mails. Ends with their last role there (offboarding)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(_("language of notification e-mails"), max_length=10, blank=True)
    deliveries = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["institution", "user"], name="notification_preference_one_per_person")
        ]

    def __str__(self):
        return f"notification preferences of {self.user_id} in {self.institution_id}"


# --- server-side state that must outlive a cache restart (no tenant data: nothing here names a person) ---------


class ServerKey(models.Model):
    """A random server key for one purpose and time window (say, the public form's state key of one period),
    created on first use and refused once `expires_at` passes; the prune task then deletes it. Kept in the
    database, not the cache, so that a cache restart does not make what the key protected unreadable. Read
    through `r2dr.server_keys`, which mixes `secret` with a key from the environment: neither this row nor the
    environment alone gives the key."""

    purpose = models.CharField(max_length=40)
    window = models.BigIntegerField()
    secret = models.BinaryField(max_length=32)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["purpose", "window"], name="server_key_one_per_window")]

    def __str__(self):
        return f"server key {self.purpose}#{self.window}"


class OnetimeClaim(models.Model):
    """A single-use mark (a submitted form, a solved challenge) until `expires_at`: the primary key makes the
    claim atomic across processes. Only a digest of the caller's key is stored (`r2dr.onetime`)."""

    digest = models.CharField(max_length=64, primary_key=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"claim {self.digest[:12]}…"


class CacheFallbackEntry(models.Model):
    """The table of the database cache that `r2dr.cache.ResilientRedisCache` answers from while Redis is
    unreachable: the schema Django's DatabaseCache expects (what `createcachetable` would make), kept by a
    migration so every deployment has it. Written only through the cache API."""

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "r2dr_cache_fallback"

    def __str__(self):
        return self.cache_key
