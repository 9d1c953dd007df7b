"""Legal holds and deleting a case for good."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.db import transaction

from cases.models import (
    Case,
    CaseAttachment,
)
from cases.services.access_log import AUDIT_PREFIX, access_log_append
from cases.services.notifications import case_notifications_delete
from r2dr.audit import audit_append


class OnLegalHold(Exception):
    pass


def case_legal_hold(*, case: Case, by: User | None, hold: bool) -> None:
    with transaction.atomic():
        Case.objects.for_institution(case.institution).filter(pk=case.pk).update(legal_hold=hold)
        access_log_append(
            institution=case.institution, user=by, action="legal_hold.on" if hold else "legal_hold.off", case=case
        )


def case_delete(*, case: Case, by: User | None = None) -> None:
    """Delete a case for good: its rows (consents, messages, files, workflow, sources, interventions, name digests,
    links, officers' notifications of it, the sealed and receipt-wrapped keys on the row itself) and its encrypted
    files. The audit log keeps only
    the opaque reference. Files are removed after the commit, so a rollback never leaves rows without files."""
    if case.legal_hold:
        raise OnLegalHold(case.reference)
    institution, reference = case.institution, case.reference
    with transaction.atomic():
        names = list(
            CaseAttachment.objects.for_institution(institution).filter(case=case).values_list("storage_name", flat=True)
        )
        case_notifications_delete(case=case)
        Case.objects.for_institution(institution).filter(pk=case.pk).delete()
        audit_append(
            institution=institution, action=f"{AUDIT_PREFIX}deleted", actor=by, object_type="case", object_ref=reference
        )

        def remove_files() -> None:
            for name in names:
                default_storage.delete(name)

        transaction.on_commit(remove_files)
