"""Documents made from a case inside the officer's request (never through Celery): the draft communication to
UN Special Procedures and the CSV export. Both honour the consents in force: names and identifying details only
where the submitter agreed to sharing with names; pseudonyms otherwise."""

from __future__ import annotations

import csv
import io

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from cases import services
from cases.models import ConsentAnswer, ConsentKind, Intervention
from cases.selectors import consent_in_force


class NotAllowed(Exception):
    pass


def pseudonym(case) -> str:
    return _("the defender of case %(ref)s") % {"ref": case.reference}


def un_communication(*, case, case_key) -> dict:
    """The five elements of a communication to UN Special Procedures, as text. Raises NotAllowed unless the case
    is verified and the submitter's UN consent in force says yes."""
    if not case.is_verified:
        raise NotAllowed(_("Only a verified case can be sent to UN Special Procedures."))
    consent = consent_in_force(case, ConsentKind.UN)
    if consent == ConsentAnswer.NO:
        raise NotAllowed(_("The person who reported has not agreed to sharing with UN Special Procedures."))
    named = consent == ConsentAnswer.YES_NAMED
    data = services.case_private(case, case_key)
    withheld = _("[withheld: the consent is without names; write an anonymised account]")
    groups = ", ".join(str(g) for g in case.defender_groups.all())
    victims = (
        f"{data.get('affected_names') or pseudonym(case)}"
        + (f" ({data['organisation']})" if named and data.get("organisation") else "")
        if named
        else pseudonym(case)
    )
    victims += f". {case.get_affected_kind_display()} · {case.get_gender_display()} · {case.get_age_group_display()}"
    if groups:
        victims += f" · {groups}"
    perpetrators = ", ".join(str(p) for p in case.perpetrator_types.all()) or "—"
    perpetrators = f"{case.get_perpetrator_kind_display()}: {perpetrators}"
    if case.state_acquiescence:
        perpetrators += f" ({_('with State acquiescence')})"
    if named and data.get("perpetrator_detail"):
        perpetrators += f"\n{data['perpetrator_detail']}"
    rights = "; ".join(
        f"{r}" + (f" (art. {r.declaration_articles})" if r.declaration_articles else "") for r in case.rights.all()
    )
    activity = (data.get("activity") or "—") if named else withheld
    violation = ", ".join(str(v) for v in case.violation_types.all())
    incident = f"{case.incident_date_display}, {case.country_code}"
    if named:
        if data.get("location_detail"):
            incident += f", {data['location_detail']}"
        incident += f"\n\n{data.get('narrative') or ''}"
    else:
        incident += f"\n\n{withheld}"
    steps = [
        f"{i.get_kind_display()} · {i.get_status_display()}" + (f" · {i.date_sent:%d %b %Y}" if i.date_sent else "")
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
    return {
        "named": named,
        "elements": [
            (_("1. Alleged victim(s)"), victims),
            (_("2. Alleged perpetrator(s)"), perpetrators),
            (_("3. Human rights activity and the violation"), f"{activity}\n\n{violation}\n{rights}".strip()),
            (_("4. The incident in detail"), incident),
            (_("5. Action taken"), actions),
        ],
    }


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


CSV_COLUMNS = [
    "reference",
    "person",
    "status",
    "outcome",
    "urgency",
    "received",
    "incident_date",
    "country",
    "violation_types",
    "defender_groups",
    "perpetrator_kind",
    "verified",
]


def cases_csv(*, cases, private_key: bytes | None) -> str:
    """One row per case. The person column holds a name only when the officer is unlocked and the submitter's
    UN or protection consent in force says "with names"; otherwise a pseudonym."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for case in cases:
        person = pseudonym(case)
        if private_key is not None:
            answers = {a for k, a in _latest_consents(case).items() if k in (ConsentKind.UN, ConsentKind.PROTECTION)}
            if ConsentAnswer.YES_NAMED in answers:
                key = services.case_key_for_officer(case, private_key)
                person = services.case_private(case, key).get("affected_names") or person
        writer.writerow(
            [
                case.reference,
                _safe(person),
                case.status,
                case.outcome,
                case.urgency,
                f"{case.received_at:%Y-%m-%d}",
                case.incident_date_display,
                case.country_code,
                ";".join(v.code for v in case.violation_types.all()),
                ";".join(g.code for g in case.defender_groups.all()),
                case.perpetrator_kind,
                "yes" if case.is_verified else "no",
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
