"""Documents made from a case inside the officer's request (never through Celery): the draft communication to
UN Special Procedures and the CSV export. Both honour the consents in force: names and identifying details only
where the submitter agreed to sharing with names; pseudonyms otherwise."""

from __future__ import annotations

import csv
import datetime
import io
import re

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import plaintext
from cases.forms import ConsentStep
from cases.models import ConsentAnswer, ConsentKind, Intervention, UnCommunicationDraft
from cases.selectors import case_links, consent_in_force, country_name, country_names


class NotAllowed(Exception):
    pass


def pseudonym(case) -> str:
    return _("the defender of case %(ref)s") % {"ref": case.reference}


UN_WITHHELD = gettext_lazy("[withheld: the consent is without names; write an anonymised account]")
UN_TITLES = (
    gettext_lazy("1. Alleged victim(s)"),
    gettext_lazy("2. Alleged perpetrator(s)"),
    gettext_lazy("3. Human rights activity and the violation"),
    gettext_lazy("4. The incident in detail"),
    gettext_lazy("5. Action taken"),
)


def _un_allowed(case) -> str:
    """The UN consent in force; NotAllowed unless the case is verified and the consent says yes."""
    if not case.is_verified:
        raise NotAllowed(_("Only a verified case can be sent to UN Special Procedures."))
    consent = consent_in_force(case, ConsentKind.UN)
    if consent == ConsentAnswer.NO:
        raise NotAllowed(_("The person who reported has not agreed to sharing with UN Special Procedures."))
    return consent


def un_communication(*, case, case_key) -> dict:
    """The five elements of a communication to UN Special Procedures, as the case record gives them. Raises
    NotAllowed unless the case is verified and the submitter's UN consent in force says yes. Without names, the
    account of the activity and of the incident is withheld: the officer writes an anonymised one
    (un_communication_draft)."""
    named = _un_allowed(case) == ConsentAnswer.YES_NAMED
    data = plaintext.case_private(case, case_key)
    withheld = str(UN_WITHHELD)
    groups = ", ".join(g.tr("label") for g in case.defender_groups.all())
    victims = (
        f"{data.get('affected_names') or pseudonym(case)}"
        + (f" ({data['organisation']})" if named and data.get("organisation") else "")
        if named
        else pseudonym(case)
    )
    victims += f". {case.get_affected_kind_display()} · {case.get_gender_display()} · {case.get_age_group_display()}"
    if groups:
        victims += f" · {groups}"
    perpetrators = ", ".join(p.tr("label") for p in case.perpetrator_types.all()) or "—"
    perpetrators = f"{case.get_perpetrator_kind_display()}: {perpetrators}"
    if case.state_acquiescence:
        perpetrators += f" ({_('with State acquiescence')})"
    if named and data.get("perpetrator_detail"):
        perpetrators += f"\n{data['perpetrator_detail']}"
    rights = "; ".join(
        r.tr("label") + (f" (art. {r.declaration_articles})" if r.declaration_articles else "")
        for r in case.rights.all()
    )
    activity = (data.get("activity") or "—") if named else withheld
    violation = ", ".join(v.tr("label") for v in case.violation_types.all())
    place = country_name(case.country_code)
    if named and data.get("location_detail"):
        place += f", {data['location_detail']}"
    when = case.incident_date_display if case.incident_date else _("not known")
    incident = _("Date: %(when)s. Place: %(place)s.") % {"when": when, "place": place}
    if named:
        incident += f"\n\n{data.get('narrative') or ''}"
    else:
        incident += f"\n\n{withheld}"
    steps = [
        f"{i.get_kind_display()} · {i.get_status_display()}"
        + (f" · {date_format(i.date_sent, 'j F Y')}" if i.date_sent else "")
        for i in Intervention.objects.for_institution(case.institution).filter(case=case)
    ]
    actions = (
        "\n".join(
            filter(
                None,
                [
                    (data.get("actions_taken") or "") if named else "",
                    (data.get("authorities_response") or "") if named else "",
                    _("Action by the national human rights institution:") if steps else "",
                    *steps,
                ],
            )
        )
        or "—"
    )
    texts = [victims, perpetrators, f"{activity}\n\n{violation}\n{rights}".strip(), incident.strip(), actions]
    return {"named": named, "elements": [(str(title), text) for title, text in zip(UN_TITLES, texts, strict=True)]}


def _withheld_markers() -> set[str]:
    """The withheld marker in every language the site speaks: an officer may have opened the draft in another."""
    from django.conf import settings
    from django.utils import translation

    markers = {str(UN_WITHHELD)}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            markers.add(str(UN_WITHHELD))
    return markers


def un_draft_problems(*, case, case_key, sections: list[str], named: bool) -> dict[int, list[str]]:
    """What keeps each section (by index) from being sent: nothing written, the withheld marker still in place of
    the anonymised account, or (consent without names) a name or contact detail recorded on the case."""
    problems: dict[int, list[str]] = {}
    markers = _withheld_markers()
    finder = None if named else _name_finder(plaintext.case_private(case, case_key))
    # The pseudonym ("the defender of case …") is what stands for the person: a name part it happens to contain
    # ("Defender") is not a name written into the draft.
    alias = re.compile(re.escape(pseudonym(case)), re.IGNORECASE)
    for index, text in enumerate(sections):
        found = []
        if not text.strip():
            found.append(_("Write this section."))
        if any(marker in text for marker in markers):
            found.append(_("Replace the “[withheld: …]” line with your anonymised account."))
        if finder is not None and (match := finder.search(alias.sub(" ", text))):
            found.append(
                _(
                    "“%(word)s” is a name or contact detail recorded on the case, and the consent is without names: "
                    "leave it out."
                )
                % {"word": match.group(0)}
            )
        if found:
            problems[index] = found
    return problems


def un_communication_draft(*, case, case_key) -> dict:
    """The draft as the officer edits it: the officer's saved sections, or the case record's where none are saved,
    what keeps it from being sent (un_draft_problems) and who saved it when. NotAllowed as un_communication."""
    generated = un_communication(case=case, case_key=case_key)
    saved = UnCommunicationDraft.objects.for_institution(case.institution).filter(case=case).first()
    sections = (
        plaintext.un_draft_sections(case, case_key, saved) if saved else [text for _t, text in generated["elements"]]
    )
    return {
        "named": generated["named"],
        "titles": [title for title, _text in generated["elements"]],
        "sections": sections,
        "saved": saved,
        "problems": un_draft_problems(case=case, case_key=case_key, sections=sections, named=generated["named"]),
    }


def un_draft_elements(draft: dict, sections: list[str] | None = None) -> dict:
    """{"named", "elements": [(title, text)]} of a draft (or of `sections` typed into its form), for the PDF."""
    texts = draft["sections"] if sections is None else sections
    return {"named": draft["named"], "elements": list(zip(draft["titles"], texts, strict=True))}


def _refuse_network(url, *args, **kwargs):
    raise ValueError("no resources are fetched for case PDFs")


def un_communication_pdf(*, case, draft: dict, institution) -> bytes:
    """Rendered in the request with WeasyPrint: no network (a url_fetcher that refuses everything; the
    stylesheet is inline, fonts come from the system through fontconfig)."""
    import weasyprint
    from weasyprint.urls import URLFetcher

    class Offline(URLFetcher):
        def fetch(self, url, headers=None):
            _refuse_network(url)

    html = render_to_string(
        "cases/un_communication_pdf.html", {"case": case, "draft": draft, "institution": institution}
    )
    css = weasyprint.CSS(string=render_to_string("cases/un_communication_pdf.css"), url_fetcher=Offline())
    return weasyprint.HTML(string=html, url_fetcher=Offline()).write_pdf(stylesheets=[css])


# (column heading, as people read it) in the reader's language; the order of the columns.
CSV_COLUMNS = [
    gettext_lazy("Reference"),
    gettext_lazy("Person"),
    gettext_lazy("Status"),
    gettext_lazy("Outcome"),
    gettext_lazy("Urgency"),
    gettext_lazy("Received"),
    gettext_lazy("Incident date"),
    gettext_lazy("Country"),
    gettext_lazy("Violations"),
    gettext_lazy("Defender groups"),
    gettext_lazy("Perpetrators"),
    gettext_lazy("Verified"),
]
CSV_LIST_SEPARATOR = "; "


def iso_datetime(value: datetime.datetime) -> str:
    """ISO 8601 with the UTC offset, in the current time zone (the institution's, during its requests):
    2026-03-14T09:30:00+07:00. One format for every time in an export, read the same by people and spreadsheets."""
    return timezone.localtime(value).isoformat(timespec="seconds")


def iso_incident_date(case) -> str:
    """The incident date in ISO 8601 at the precision the submitter gave: 2025-03-14, 2025-03 or 2025."""
    if case.incident_date is None:
        return ""
    return case.incident_date.isoformat()[: {"day": 10, "month": 7}.get(case.incident_date_precision, 4)]


def cases_csv(*, cases, private_key: bytes | None) -> str:
    """One row per case, in the reader's language: headings, statuses, urgencies, taxonomy terms and countries in
    words; times in ISO 8601 with their offset, incident dates in ISO 8601 at their precision. A UTF-8 byte order
    mark first, so spreadsheet programs read Thai and other scripts as UTF-8.

    The person column holds a name only when the officer is unlocked and the submitter's UN or protection consent
    in force says "with names"; otherwise a pseudonym."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([str(heading) for heading in CSV_COLUMNS])
    countries = country_names()
    for case in cases:
        person = pseudonym(case)
        if private_key is not None:
            answers = {a for k, a in _latest_consents(case).items() if k in (ConsentKind.UN, ConsentKind.PROTECTION)}
            if ConsentAnswer.YES_NAMED in answers:
                key = plaintext.case_key_for_officer(case, private_key)
                person = plaintext.case_private(case, key).get("affected_names") or person
        writer.writerow(
            [
                _safe(value)
                for value in (
                    case.reference,
                    person,
                    case.get_status_display(),
                    case.get_outcome_display() if case.outcome else "",
                    case.get_urgency_display(),
                    iso_datetime(case.received_at),
                    iso_incident_date(case),
                    country_name(case.country_code, countries),
                    CSV_LIST_SEPARATOR.join(v.tr("label") for v in case.violation_types.all()),
                    CSV_LIST_SEPARATOR.join(g.tr("label") for g in case.defender_groups.all()),
                    case.get_perpetrator_kind_display(),
                    _("Yes") if case.is_verified else _("No"),
                )
            ]
        )
    return out.getvalue()


def _latest_consents(case) -> dict:
    latest = {}
    for consent in case.consents.all():  # prefetched, ordered by recorded_at
        latest[consent.kind] = consent.answer
    return latest


def _safe(value: str) -> str:
    """Spreadsheet formula injection: a cell starting with = + - @ is read as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


# --- the case file: one PDF per case ------------------------------------------------------------------------
#
# Two variants. The internal file shows everything an entitled officer sees on the case page, identities
# included; it is for the institution's own records and never leaves it. A shareable file is made for one
# outside purpose, and the purposes are the consent kinds that are about handing a case to someone else:
# UN Special Procedures (ConsentKind.UN) and protection organisations (ConsentKind.PROTECTION). "Contact" is
# about reaching the submitter and "statistics" covers anonymised counts only, so neither allows sharing a file.
# A shareable file is refused while the consent in force for its purpose is "no" (or was never given). When it
# is allowed, identities and contact details are replaced by the case pseudonym whatever the answer; what else
# goes in depends on the answer:
# - "yes, with names": the free text (account, place detail, reasons, source notes, intervention notes) is
#   included with every recorded name replaced by the pseudonym;
# - "yes, without names": free text is withheld, as in the UN draft, because no program can promise that a
#   narrative no longer identifies anyone; the officer writes an anonymised account separately.
# The private channel with the submitter (messages) and file names never go into a shareable file.

CASE_FILE_INTERNAL = "internal"
SHARE_PURPOSES = (ConsentKind.UN, ConsentKind.PROTECTION)


def case_file_variants(case) -> list[dict]:
    """The choices offered to the officer: the internal file, then one shareable file per purpose, each with
    whether the consent in force allows it and, if not, why."""
    answers = _latest_consents(case)
    variants = [
        {
            "value": CASE_FILE_INTERNAL,
            "label": _("Internal case file (identities shown)"),
            "help": _("For the institution's own records. Never send it outside the institution."),
            "allowed": True,
        }
    ]
    for kind in SHARE_PURPOSES:
        answer = answers.get(kind, ConsentAnswer.NO)
        allowed = answer != ConsentAnswer.NO
        variants.append(
            {
                "value": str(kind),
                "label": _("Shareable version for %(purpose)s") % {"purpose": _purpose_name(kind)},
                "help": (
                    _("Identities and contact details replaced by the pseudonym; the account is included.")
                    if answer == ConsentAnswer.YES_NAMED
                    else _("Identities and contact details replaced by the pseudonym; the account is withheld.")
                    if allowed
                    else _refusal(kind)
                ),
                "allowed": allowed,
            }
        )
    return variants


def _purpose_name(kind) -> str:
    return {
        ConsentKind.UN: _("UN Special Procedures"),
        ConsentKind.PROTECTION: _("a protection organisation"),
    }[kind]


def _refusal(kind) -> str:
    return _(
        "The person who reported has not agreed to sharing with %(purpose)s, so no shareable version can be made "
        "for it."
    ) % {"purpose": _purpose_name(kind)}


def case_file(*, case, case_key, purpose: str = CASE_FILE_INTERNAL) -> dict:
    """What the case file shows, decrypted with the case key. `purpose` is CASE_FILE_INTERNAL or one of
    SHARE_PURPOSES; for a shareable file the consent in force is read first and NotAllowed raised (before
    anything is decrypted) if it says no. The caller has already checked that the officer may see the case."""
    shareable = purpose != CASE_FILE_INTERNAL
    if shareable and purpose not in SHARE_PURPOSES:
        raise NotAllowed(_("Choose which version of the case file to download."))
    answer = consent_in_force(case, purpose) if shareable else None
    if shareable and answer == ConsentAnswer.NO:
        raise NotAllowed(_refusal(purpose))
    with_text = not shareable or answer == ConsentAnswer.YES_NAMED
    data = plaintext.case_private(case, case_key)
    alias = pseudonym(case)
    withheld = _("[withheld]")
    redact = _name_redactor(data, alias) if shareable else (lambda text: text)

    def text(value) -> str:
        if not with_text:
            return withheld
        return redact(value or "") or "—"

    if shareable:
        identity = {
            "affected": alias,
            "organisation": "",
            "relationship": "",
            "contact": "",
        }
    else:
        identity = {
            "affected": data.get("affected_names") or "—",
            "organisation": data.get("organisation") or "",
            "relationship": data.get("relationship") or "",
            "contact": " · ".join(
                filter(
                    None,
                    [
                        _contact_method_label(data.get("contact_method", "")),
                        data.get("contact_details", ""),
                        data.get("submitter_email", ""),
                    ],
                )
            ),
        }
    identity["submitter_is_victim"] = data.get("submitter_is_victim")

    history = [
        {"step": step, "reason": text(plaintext.transition_reason(case, case_key, step))}
        for step in case.transitions.select_related("by")
    ]
    sources = [
        {"obj": source, "text": text(plaintext.source_text(case, case_key, source))}
        for source in case.sources.select_related("added_by")
    ]
    interventions = []
    for intervention in case.interventions.select_related("mechanism"):
        notes = plaintext.intervention_text(case, case_key, intervention)
        interventions.append(
            {
                "obj": intervention,
                "addressee": str(intervention.mechanism) if intervention.mechanism else text(notes.get("addressee")),
                **{field: text(notes.get(field)) for field in ("details", "response", "outcome")},
            }
        )
    messages = []
    if not shareable:
        messages = [
            {"obj": message, "text": plaintext.message_text(case, case_key, message) or "—"}
            for message in case.messages.select_related("author")
        ]
    attachments = [
        {"obj": a, "name": "" if shareable else plaintext.attachment_meta(case, case_key, a).get("name", "")}
        for a in case.attachments.all()
    ]
    consents = list(case.consents.all())
    in_force = {c.kind: c.pk for c in consents}
    return {
        "case": case,
        "shareable": shareable,
        "purpose": _purpose_name(purpose) if shareable else "",
        "answer": answer,
        "with_text": with_text,
        "pseudonym": alias,
        "identity": identity,
        "account": {
            "activity": text(data.get("activity")),
            "narrative": text(data.get("narrative")),
            "actions_taken": text(data.get("actions_taken")),
            "authorities_response": text(data.get("authorities_response")),
            "perpetrator_detail": text(data.get("perpetrator_detail")) if with_text else "",
            "location_detail": text(data.get("location_detail")) if with_text else "",
        },
        "violation_types": list(case.violation_types.all()),
        "defender_groups": list(case.defender_groups.all()),
        "perpetrator_types": list(case.perpetrator_types.all()),
        "rights": list(case.rights.all()),
        "country": _country_name(case.country_code),
        "history": history,
        "sources": sources,
        "interventions": interventions,
        "messages": messages,
        "attachments": attachments,
        "consents": [{"obj": c, "in_force": in_force[c.kind] == c.pk} for c in consents],
        "links": [] if shareable else case_links(case),
    }


def _contact_method_label(value: str) -> str:

    return str(dict(ConsentStep.base_fields["contact_method"].choices).get(value, value))


def _country_name(code: str) -> str:
    name = country_name(code)
    return f"{name} ({code})" if name != code else code


# Scripts written without spaces between words: a name there is matched anywhere, not at word boundaries.
_UNSPACED = re.compile("[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_NAME_SPLIT = re.compile(r"[,;/\n]+|\s+(?:and|&)\s+")


def _name_pattern(name: str) -> str:
    if _UNSPACED.search(name):
        return re.escape(name)
    return rf"(?<!\w){re.escape(name)}(?!\w)"


def _name_entries(data: dict) -> tuple[set[str], set[str]]:
    """(whole entries: each recorded name, organisation and contact detail; parts of people's multi-word names)."""
    people = {e.strip() for e in _NAME_SPLIT.split(data.get("affected_names") or "") if len(e.strip()) >= 2}
    entries = set(people)
    for field in ("organisation", "contact_details", "submitter_email"):
        if len(value := (data.get(field) or "").strip()) >= 2:
            entries.add(value)
    # Parts of people's names only: an organisation's name is made of ordinary words ("Land", "Rights").
    parts = {
        part
        for name in people
        if not _UNSPACED.search(name)
        for part in name.split()
        if len(part) >= 3 and part not in entries
    }
    return entries, parts


def _names_pattern(names: set[str]) -> re.Pattern:
    # Every name in one pattern, longest first, so the longest recorded form of a name is the one matched.
    ordered = sorted(names, key=len, reverse=True)
    return re.compile("|".join(_name_pattern(n) for n in ordered), re.IGNORECASE)


def _name_finder(data: dict) -> re.Pattern | None:
    """A pattern matching any name, name part or contact detail recorded on the case; None if none is recorded."""
    entries, parts = _name_entries(data)
    return _names_pattern(entries | parts) if entries else None


def _name_redactor(data: dict, alias: str):
    """Replace the names and contact details recorded on the case wherever they occur in free text: a whole entry
    by the pseudonym, a part of a multi-word name (a surname alone) by a marker. It errs on the side of replacing
    too much; it cannot know names the submitter did not record as names."""
    entries, parts = _name_entries(data)
    if not entries:
        return lambda text: text
    marker = _("[name withheld]")
    # One pass over the text: a replacement is never scanned again, so a name part that happens to occur in the
    # pseudonym does not mangle it.
    pattern = _names_pattern(entries | parts)
    whole = {e.casefold() for e in entries}

    def redact(text: str) -> str:
        return pattern.sub(lambda m: alias if m.group(0).casefold() in whole else marker, text)

    return redact


def case_file_pdf(*, content: dict, institution, exported_by, exported_at) -> bytes:
    """The case file rendered in the request with WeasyPrint, offline like the UN draft: nothing is fetched,
    fonts (Noto, including CJK and Thai) come from the system through fontconfig."""
    import weasyprint
    from weasyprint.urls import URLFetcher

    class Offline(URLFetcher):
        def fetch(self, url, headers=None):
            _refuse_network(url)

    context = {
        **content,
        "institution": institution,
        "exported_by": exported_by.email or exported_by.get_username(),
        "exported_at": exported_at,
    }
    html = render_to_string("cases/case_pdf.html", context)
    css = weasyprint.CSS(string=render_to_string("cases/case_pdf.css", context), url_fetcher=Offline())
    return weasyprint.HTML(string=html, url_fetcher=Offline()).write_pdf(stylesheets=[css])
