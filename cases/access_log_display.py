"""What the access log page says about each entry: a sentence for the event ("Moved the case to “Being assessed”")
and its details in words ("page 2; Status: Received"), in the reader's language, from the opaque codes, ids and
notes the cases app writes (cases/services/access_log.py). Reading an entry decrypts nothing: the log never held
content, only references.

An event without a label here is still shown, by its code, so a new event is never hidden; give it a label in
ACTION_LABELS (or a family in FAMILY_LABELS) when adding it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cases.choices import Origin, Status
from cases.models import (
    AUDIT_PREFIX,
    AccessAction,
    CaseLink,
    InterventionKind,
    InterventionStatus,
)

StrOrPromise = str | Promise

# Events by their code (after the "cases." prefix).
ACTION_LABELS: dict[str, StrOrPromise] = {
    **dict(AccessAction.choices),
    AccessAction.REPLY: gettext_lazy("Replied to the person who reported"),
    AccessAction.FILE: gettext_lazy("Opened a file (metadata removed)"),
    "recorded": gettext_lazy("Recorded a case"),
    "source_added": gettext_lazy("Added a source"),
    "triaged": gettext_lazy("Changed the urgency or flags"),
    "assigned": gettext_lazy("Assigned the case"),
    "restricted": gettext_lazy("Restricted the case to named officers"),
    "unrestricted": gettext_lazy("Opened the case to every case officer again"),
    "repeat_attack.detected": gettext_lazy("Found a repeat attack on the same defender"),
    "reminders_sent": gettext_lazy("Sent reminders of overdue responses"),
    "deleted": gettext_lazy("Deleted at the end of the retention period"),
    "legal_hold.on": gettext_lazy("Put the case on legal hold"),
    "legal_hold.off": gettext_lazy("Lifted the legal hold"),
    "merged": gettext_lazy("Merged this case into another"),
    "merged_into": gettext_lazy("Merged another case into this one"),
    "duplicate_check": gettext_lazy("Looked for possible duplicates"),
    "intervention.added": gettext_lazy("Recorded an intervention or referral"),
    "intervention.changed": gettext_lazy("Changed an intervention or referral"),
    "inbox_viewed": gettext_lazy("Viewed the case inbox"),
    "searched": gettext_lazy("Searched cases"),
    "export.csv": gettext_lazy("Exported the case list (CSV)"),
    "export.case_file": gettext_lazy("Downloaded the internal case file (PDF)"),
    "export.case_file.shareable": gettext_lazy("Downloaded a shareable case file (PDF)"),
    "export.un_communication": gettext_lazy("Opened the draft communication to UN Special Procedures"),
    "export.un_communication.pdf": gettext_lazy("Downloaded the draft communication to UN Special Procedures (PDF)"),
    "un_communication.saved": gettext_lazy("Saved the draft communication to UN Special Procedures"),
    "un_communication.discarded": gettext_lazy("Discarded the edited draft communication to UN Special Procedures"),
    "statistics.shared": gettext_lazy("Shared a year of case statistics with the region"),
    "statistics.unshared": gettext_lazy("Stopped sharing a year of case statistics with the region"),
    "escalation_viewed": gettext_lazy("Opened the escalation notice"),
}

ESCALATION_REASONS: dict[str, StrOrPromise] = {
    "urgent": gettext_lazy("Escalated to the head: marked urgent"),
    "repeat_attack": gettext_lazy("Escalated to the head: the same defender was attacked again"),
    "response_overdue": gettext_lazy("Escalated to the head: the response target passed"),
}

TRIAGE_FIELDS: dict[str, StrOrPromise] = {
    "urgency": gettext_lazy("urgency"),
    "repeat_attack": gettext_lazy("repeat-attack flag"),
}

OFFICER_NOTE = re.compile(r"\bofficer (\d+)")
VERSION_NOTE = re.compile(r"\bversion (\d+)")
RESEAL_NOTE = re.compile(r"version (\d+) to version (\d+); (\d+) cases")


def _family(action: str) -> str | None:
    """The label of a coded family of events (a workflow step, an escalation reason, a link kind)."""
    head, _dot, tail = action.partition(".")
    if head == "transition" and tail in Status.values:
        return _("Moved the case to “%(status)s”") % {"status": Status(tail).label}
    if head == "escalated":
        return str(ESCALATION_REASONS.get(tail, _("Escalated to the head")))
    if head == "linked" and tail in CaseLink.Kind.values:
        return _("Linked to another case: %(kind)s") % {"kind": CaseLink.Kind(tail).label}
    return None


def _label(action: str) -> tuple[str, bool]:
    """(words for the event, whether it is known)."""
    if action in ACTION_LABELS:
        return str(ACTION_LABELS[action]), True
    family = _family(action)
    if family is not None:
        return family, True
    return action, False


class _People:
    """E-mail addresses of the users the entries name by id, looked up once for the whole page."""

    def __init__(self, ids: Iterable[int]):
        users = get_user_model().objects.filter(pk__in=set(ids)).only("pk", "email", "username")
        self.names = {u.pk: u.email or u.get_username() for u in users}

    def __call__(self, user_id: Any) -> str:
        try:
            return self.names.get(int(user_id)) or _("a former user (no. %(id)s)") % {"id": user_id}
        except (TypeError, ValueError):
            return str(user_id)


def _ids_named(entry) -> set[int]:
    detail = entry.detail or {}
    note = str(detail.get("note", ""))
    ids = {int(m) for m in OFFICER_NOTE.findall(note)}
    action = entry.action[len(AUDIT_PREFIX) :]
    if action == "restricted":
        ids |= {int(x) for x in note.split(",") if x.strip().isdigit()}
    if action == "assigned" and str(detail.get("officer", "")).isdigit():
        ids.add(int(detail["officer"]))
    if action == "inbox_viewed":
        assigned = QueryDict(note.rpartition(" page=")[0]).get("assigned", "")
        if assigned.isdigit():
            ids.add(int(assigned))
    return ids


def _inbox_details(note: str, filter_form, people: _People) -> list[str]:
    query, _sep, page = note.rpartition(" page=")
    if not _sep:
        query, page = note, ""
    out = []
    if page.strip().isdigit():
        out.append(_("page %(n)s") % {"n": page.strip()})
    params = QueryDict(query.strip())
    for name in params:
        value = str(params.get(name, ""))
        field = filter_form.fields.get(name)
        if field is None or not value:
            continue
        if name == "assigned" and value.isdigit():
            shown = people(value)
        elif name == "assigned" and value == "me":
            shown = _("the officer themselves")
        elif isinstance(field, forms.ChoiceField):
            choices: Any = field.choices
            shown = str(dict(choices).get(value, value))
        else:
            shown = value
        out.append(str(field.label) if isinstance(field, forms.BooleanField) else f"{field.label}: {shown}")
    if not params:
        out.append(_("no filters"))
    return out


def _search_details(detail: dict) -> list[str]:
    """How a search was made and what it found; the query itself was never logged."""
    words, hits = int(detail.get("words") or 0), int(detail.get("hits") or 0)
    how = (
        _("by reference")
        if detail.get("by") == "reference"
        else ngettext("by %(n)d word", "by %(n)d words", words) % {"n": words}
    )
    return [how, ngettext("%(n)d case found", "%(n)d cases found", hits) % {"n": hits}]


def _details(action: str, entry, people: _People, filter_form) -> list[str]:
    detail = entry.detail or {}
    note = str(detail.get("note", ""))
    if action == "inbox_viewed":
        return _inbox_details(note, filter_form, people)
    if action == "export.csv":
        rows = int(detail.get("rows") or 0)
        out = [ngettext("%(n)d case", "%(n)d cases", rows) % {"n": rows}]
        out.append(_("names where consented") if detail.get("identities") else _("pseudonyms only"))
        return out
    if action in (AccessAction.GRANT, AccessAction.REVOKE, AccessAction.RECOVER):
        out = [_("for %(who)s") % {"who": people(i)} for i in OFFICER_NOTE.findall(note)]
        out += [_("institution key version %(v)s") % {"v": v} for v in VERSION_NOTE.findall(note)[-1:]]
        return out
    if action == AccessAction.SETUP and (versions := VERSION_NOTE.findall(note)):
        return [_("institution key version %(v)s") % {"v": versions[0]}]
    if action == AccessAction.RESEAL and (moved := RESEAL_NOTE.search(note)):
        n = int(moved.group(3))
        return [
            ngettext(
                "%(n)d case, from key version %(old)s to %(new)s",
                "%(n)d cases, from key version %(old)s to %(new)s",
                n,
            )
            % {"n": n, "old": moved.group(1), "new": moved.group(2)}
        ]
    if action == "restricted":
        return [", ".join(people(i) for i in note.split(",") if i.strip())] if note else []
    if action == "assigned":
        officer = detail.get("officer")
        return [_("to %(who)s") % {"who": people(officer)} if officer else _("nobody (unassigned)")]
    if action == "triaged":
        return [", ".join(str(TRIAGE_FIELDS[f]) for f in note.split(",") if f in TRIAGE_FIELDS)] if note else []
    if action == "recorded" and note in Origin.values:
        return [str(Origin(note).label)]
    if action in ("intervention.added", "intervention.changed"):
        kind, _pk, status = (note.split(":") + ["", "", ""])[:3]
        parts = []
        if kind in InterventionKind.values:
            parts.append(str(InterventionKind(kind).label))
        if status in InterventionStatus.values:
            parts.append(str(InterventionStatus(status).label))
        return [" · ".join(parts)] if parts else []
    if action == "searched":
        return _search_details(detail)
    if action == "duplicate_check" and note.isdigit():
        n = int(note)
        return [ngettext("%(n)d possible duplicate", "%(n)d possible duplicates", n) % {"n": n}]
    if action == "export.case_file.shareable":
        purposes = {"un": _("for UN Special Procedures"), "protection": _("for a protection organisation")}
        return [purposes.get(note, note)] if note else []
    if action in ("merged", "merged_into") or action.startswith("linked."):
        return [_("case %(ref)s") % {"ref": note}] if note else []
    if action == "file_original" and note.isdigit():
        return [_("file no. %(n)s") % {"n": note}]
    if action in ("statistics.shared", "statistics.unshared"):
        return [_("incident year %(year)s") % {"year": entry.object_ref}] if entry.object_ref else []
    if action == "reminders_sent" and entry.object_ref.isdigit():
        n = int(entry.object_ref)
        return [ngettext("%(n)d intervention", "%(n)d interventions", n) % {"n": n}]
    # Anything else: what was recorded, as it was written (counts, flags, short notes), never hidden.
    if note:
        return [note]
    return [f"{key}: {value}" for key, value in sorted(detail.items())]


def access_log_lines(entries: Iterable, *, filter_form_factory: Callable[[], Any]) -> list[dict]:
    """One line per audit entry of the cases app: when, who, what happened (words), details (words) and the case
    reference, if any. `filter_form_factory` builds the inbox filter form once, for the labels of its filters."""
    entries = list(entries)
    people = _People(i for e in entries for i in _ids_named(e))
    filter_form = None
    lines = []
    for entry in entries:
        action = entry.action[len(AUDIT_PREFIX) :] if entry.action.startswith(AUDIT_PREFIX) else entry.action
        what, known = _label(action)
        if action == "inbox_viewed" and filter_form is None:
            filter_form = filter_form_factory()
        details = [d for d in _details(action, entry, people, filter_form) if d]
        lines.append(
            {
                "at": entry.at,
                "who": entry.actor_label or _("system"),
                "what": what,
                "code": "" if known else entry.action,
                "details": "; ".join(details),
                "case": entry.object_ref if entry.object_type == "case" else "",
            }
        )
    return lines
