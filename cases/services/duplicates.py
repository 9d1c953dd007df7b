"""Keyed name digests, repeat-attack indexing, links between cases and merging duplicates."""

from __future__ import annotations

import logging

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import crypto, duplicates
from cases.aad import (
    aad_transition,
)
from cases.models import (
    Case,
    CaseLink,
    CaseTransition,
    NameDigest,
    Outcome,
    SourceKind,
    Status,
)
from cases.plaintext import case_key_for_officer, case_private, source_text
from cases.selectors import active_keyring
from cases.services.access_log import access_log_append
from cases.services.escalation import case_repeat_attack_detect
from cases.services.workflow import source_add
from r2dr.models import Institution

logger = logging.getLogger(__name__)


def case_index_names(*, case: Case, case_key: bytes, institution_private: bytes) -> int:
    """(Re)compute the keyed name digests of a case under the active keyring; done when an unlocked officer opens
    it (the server alone cannot). Returns the number of digests."""
    keyring = active_keyring(case.institution)
    if keyring is None:
        return 0
    data = case_private(case, case_key)
    text = "\n".join(filter(None, [data.get("affected_names", ""), data.get("organisation", "")]))
    values = duplicates.digests(institution_private, keyring.pk, text)
    existing = NameDigest.objects.for_institution(case.institution).filter(case=case, keyring=keyring)
    if case.names_keyring_id == keyring.pk and sorted(existing.values_list("digest", flat=True)) == sorted(values):
        return len(values)
    with transaction.atomic():
        NameDigest.objects.for_institution(case.institution).filter(case=case).delete()
        NameDigest.objects.bulk_create(
            [NameDigest(institution=case.institution, case=case, keyring=keyring, digest=d) for d in values]
        )
        Case.objects.for_institution(case.institution).filter(pk=case.pk).update(names_keyring_id=keyring.pk)
        case.names_keyring_id = keyring.pk
    return len(values)


def case_names_index_pending(
    *, institution: Institution, institution_private: bytes, by: User | None = None, limit: int = 500
) -> int:
    """Compute the name digests of cases not yet indexed under the active keyring (new reports, or all of them
    after a key rotation), then run repeat-attack detection for those whose digests match another case. Runs
    whenever an officer unlocks keys, so detection does not wait for someone to open each case. Returns the
    number of cases indexed (at most `limit` per call; the rest follow at the next unlock)."""
    keyring = active_keyring(institution)
    if keyring is None:
        return 0
    pending = list(
        Case.objects.for_institution(institution)
        .exclude(names_keyring_id=keyring.pk)
        .select_related("institution")
        .order_by("received_at", "pk")[:limit]
    )
    indexed = []
    for case in pending:
        try:
            key = case_key_for_officer(case, institution_private)
            case_index_names(case=case, case_key=key, institution_private=institution_private)
        except crypto.DecryptionError:
            logger.warning("case %s: content does not decrypt; names not indexed", case.pk)
            continue
        indexed.append(case)
    if not indexed:
        return 0
    digests = NameDigest.objects.for_institution(institution).filter(keyring=keyring)
    mine = digests.filter(case_id__in=[c.pk for c in indexed])
    # Digests found on more than one case (in this batch or earlier ones): only those cases need a closer look.
    repeated = (
        digests.filter(digest__in=mine.values("digest"))
        .values("digest")
        .annotate(n=Count("case_id", distinct=True))
        .filter(n__gt=1)
        .values("digest")
    )
    shared = set(mine.filter(digest__in=repeated).values_list("case_id", flat=True))
    for case in indexed:
        if case.pk in shared:
            case_repeat_attack_detect(case=case, by=by)
    return len(indexed)


def case_link(*, case: Case, other: Case, kind: str, by: User | None) -> None:
    """Link two cases of the same institution. kind "duplicate": `case` duplicates `other` and leaves the
    statistics; nothing is deleted, every source stays on its case."""
    if case.institution_id != other.institution_id or case.pk == other.pk:
        raise ValueError("cases of one institution only")
    with transaction.atomic():
        CaseLink.objects.for_institution(case.institution).update_or_create(
            institution=case.institution, case=case, other=other, defaults={"kind": kind, "by": by}
        )
        if kind == CaseLink.Kind.DUPLICATE:
            Case.objects.for_institution(case.institution).filter(pk=case.pk).update(duplicate_of=other)
        access_log_append(
            institution=case.institution, user=by, action=f"linked.{kind}", case=case, detail=other.reference
        )


class MergeRefused(Exception):
    pass


def case_merge(*, duplicate: Case, into: Case, by: User | None, institution_private: bytes) -> int:
    """Merge `duplicate` into the main case `into`: every source of the duplicate is copied to the main case
    (re-encrypted under its key) with the duplicate's account as one more source, the two are linked, the
    duplicate is closed as "merged" and leaves the statistics. Nothing is deleted: the duplicate keeps its messages,
    files and receipt channel, so its submitter can still follow up. Returns the number of sources copied."""

    if duplicate.institution_id != into.institution_id or duplicate.pk == into.pk:
        raise MergeRefused(_("Choose another case of this institution."))
    if into.duplicate_of_id == duplicate.pk or into.outcome == Outcome.MERGED:
        raise MergeRefused(_("The main case was itself merged; merge into the case it was merged into."))
    if duplicate.outcome == Outcome.MERGED:
        raise MergeRefused(_("This case was already merged."))
    dup_key = case_key_for_officer(duplicate, institution_private)
    main_key = case_key_for_officer(into, institution_private)
    data = case_private(duplicate, dup_key)
    account = "\n\n".join(
        filter(
            None,
            [
                _("Account from merged case %(ref)s:") % {"ref": duplicate.reference},
                data.get("narrative", ""),
                data.get("actions_taken", ""),
            ],
        )
    )
    copied = 0
    with transaction.atomic():
        locked = Case.objects.for_institution(duplicate.institution).select_for_update().get(pk=duplicate.pk)
        if locked.outcome == Outcome.MERGED:
            raise MergeRefused(_("This case was already merged."))
        source_add(
            case=into,
            case_key=main_key,
            by=by,
            kind=SourceKind.SUBMITTER if duplicate.origin == "public_form" else SourceKind.MONITORING,
            reliability="unknown",
            description=account,
        )
        copied += 1
        for source in duplicate.sources.all():
            text = source_text(duplicate, dup_key, source)
            prefix = _("From merged case %(ref)s: ") % {"ref": duplicate.reference}
            source_add(
                case=into,
                case_key=main_key,
                by=by,
                kind=source.kind,
                reliability=source.reliability,
                description=prefix + text,
            )
            copied += 1
        CaseLink.objects.for_institution(duplicate.institution).update_or_create(
            institution=duplicate.institution,
            case=duplicate,
            other=into,
            defaults={"kind": CaseLink.Kind.DUPLICATE, "by": by},
        )
        now = timezone.now()
        step = CaseTransition(
            institution=duplicate.institution,
            case=locked,
            from_status=locked.status,
            to_status=Status.CLOSED,
            by=by,
            at=now,
            outcome=Outcome.MERGED,
        )
        step.reason = crypto.encrypt(
            dup_key, (_("Merged into case %(ref)s.") % {"ref": into.reference}).encode(), aad_transition(locked)
        )
        step.save()
        Case.objects.for_institution(duplicate.institution).filter(pk=duplicate.pk).update(
            duplicate_of=into,
            status=Status.CLOSED,
            outcome=Outcome.MERGED,
            closed_at=now,
            status_changed_at=now,
            first_response_at=locked.first_response_at or now,
        )
        if duplicate.repeat_attack and not into.repeat_attack:
            Case.objects.for_institution(into.institution).filter(pk=into.pk).update(repeat_attack=True)
        access_log_append(
            institution=duplicate.institution, user=by, action="merged", case=duplicate, detail=into.reference
        )
        access_log_append(
            institution=into.institution, user=by, action="merged_into", case=into, detail=duplicate.reference
        )
    return copied
