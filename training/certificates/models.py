"""A certificate as issued: every field it prints is copied here when it is issued, so it stays verifiable as it
was (the learner's later name change, or their erasure, does not rewrite it)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from r2dr.tenancy import TenantModel

# Bitstring Status List v1.0 asks for at least 16 KB (131,072 entries) for herd privacy; each certificate takes a
# random free index in it, so an index tells nothing of when, or how many, certificates were issued.
STATUS_LIST_SIZE = 131_072


class Certificate(TenantModel):
    """A learner's certificate of one completed enrolment (at most one per enrolment)."""

    enrolment = models.OneToOneField(
        "training.Enrolment", null=True, blank=True, on_delete=models.SET_NULL, related_name="certificate"
    )
    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(_("name as issued"), max_length=300)
    institution_name = models.CharField(_("institution"), max_length=300)
    course_title = models.CharField(_("course"), max_length=300)
    cohort_title = models.CharField(_("cohort"), max_length=300)
    completed_on = models.DateField(_("completion date"))
    issuer = models.CharField(_("issuer"), max_length=300)
    language = models.CharField(_("language"), max_length=10)
    issued_at = models.DateTimeField()
    pdf_sha256 = models.CharField(max_length=64)
    pdf_path = models.CharField(max_length=300)
    credential_jwt = models.TextField()
    key_id = models.CharField(max_length=200)
    status_index = models.PositiveIntegerField(unique=True)
    public_withdrawn = models.BooleanField(_("public verification withdrawn"), default=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.TextField(_("reason for revocation"), blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status_index__lt=STATUS_LIST_SIZE), name="certificate_status_index_in_list"
            ),
        ]
        indexes = [models.Index(fields=["institution", "issued_at"], name="certificate_institution_issued")]

    def __str__(self):
        return f"certificate {self.code}"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
