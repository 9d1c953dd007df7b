"""Drive the public form with the Django test client, as a browser without JavaScript would."""

import re

import factory

from cases import crypto, services
from cases.models import Case, DefenderGroup, Outcome, PerpetratorType, Right, Status, ViolationType
from tests.cases.conftest import PASSPHRASE

STATE = re.compile(r'name="state" value="([^"]+)"')
CODE = re.compile(r'class="receipt-code" translate="no">([0-9 ]+)<')


def state_of(response):
    match = STATE.search(response.content.decode())
    assert match, response.content.decode()[:3000]
    return match.group(1)


def step_data(name="CANARY Defender", narrative="They came at night and took him."):
    vt = ViolationType.objects.get(code="judicial-harassment").pk
    return {
        "who": {
            "affected_kind": "individual",
            "affected_names": name,
            "affected_count": "1",
            "defender_groups": [str(DefenderGroup.objects.get(code="land-environment").pk)],
            "gender": "woman",
            "age_group": "30_59",
            "submitter_is_victim": "yes",
        },
        "what": {
            "violation_types": [str(vt)],
            "narrative": narrative,
            "date_precision": "month",
            "incident_month": "3",
            "incident_year": "2025",
            "country_code": "TL",
            "location_detail": "Secret village",
            "perpetrator_kind": "state",
            "perpetrator_types": [str(PerpetratorType.objects.get(code="police").pk)],
            "rights": [str(Right.objects.get(code="assembly").pk)],
        },
        "since": {"actions_taken": "Complaint to police", "authorities_response": "None", "urgent": "yes"},
        "consent": {
            "contact_method": "receipt",
            "consent_contact": "yes",
            "consent_un": "yes_anonymised",
            "consent_protection": "no",
            "consent_statistics": "yes",
        },
    }


STEPS = ("who", "what", "since")


def walk_report(client, institution, data=None, *, through=STEPS, headers=None, pages=None):
    """Start the public form and post the answers of the steps `through`, one after another, each with the `state`
    the previous page carried; every page answers 200. Returns the last page (its `state` holds the answers so far);
    `pages`, when given, collects every page on the way."""
    data = data or step_data()
    url = f"/{institution.slug}/report/"
    headers = headers or {}
    r = client.post(url, {"nav": "start"}, **headers)
    assert r.status_code == 200
    if pages is not None:
        pages.append(r)
    for step in through:
        r = client.post(url, {"state": state_of(r), "nav": "next", **data[step]}, **headers)
        assert r.status_code == 200, r.content[:500]
        if pages is not None:
            pages.append(r)
    return r


def submit_report(client, institution, data=None, files=None, extra_final=None, headers=None):
    """Walk every step and send the report; return the final response (receipt page on success)."""
    data = data or step_data()
    r = walk_report(client, institution, data, headers=headers)
    final = {"state": state_of(r), "nav": "submit", **data["consent"], **(extra_final or {})}
    if files:
        final["files"] = files
    return client.post(f"/{institution.slug}/report/", final, **(headers or {}))


def receipt_of(response):
    match = CODE.search(response.content.decode())
    assert match, response.content.decode()[:3000]
    return match.group(1)


# --- staff side: cases made through the services, the workflow walked, the keys unlocked in a client ----------

ADMISSIBLE = {"respondent_type": "state", "within_time_limit": True, "sub_judice": False}


class CaseFactory(factory.Factory):
    """A case submitted through the real intake service (`case_submit`). Override an argument of the service whole
    (`private={...}`) or by key (`clear__perpetrator_kind="state"`), or through the parameters below. The receipt
    code, never stored, rides on `case.receipt_code`. `status` and `verified` then set the row as the workflow
    would have left it, for tests of what reads cases (statistics, inbox) rather than of the workflow."""

    class Meta:
        model = Case

    class Params:
        names = "Ana Defender"
        narrative = "n"
        date = None
        urgent = False
        country = ""  # the institution's country, as the intake defaults it
        violation_codes = ()

    institution = None
    clear = factory.Dict(
        {
            "urgent": factory.SelfAttribute("..urgent"),
            "incident_date": factory.SelfAttribute("..date"),
            "country_code": factory.SelfAttribute("..country"),
            "violation_types": factory.LazyAttribute(
                lambda clear: list(ViolationType.objects.filter(code__in=clear.factory_parent.violation_codes))
            ),
        }
    )
    private = factory.Dict(
        {"affected_names": factory.SelfAttribute("..names"), "narrative": factory.SelfAttribute("..narrative")}
    )
    consents = factory.Dict({"statistics": "yes"})
    consent_wording = factory.Dict({"statistics": "w"})
    language = "en"
    uploads = ()
    un_named = False  # UN consent given with names, as a case ready for a UN communication needs
    status = None
    verified = False

    @classmethod
    def _create(cls, model_class, *, un_named, status, verified, **submitted):
        if un_named:
            submitted["consents"] = {**submitted["consents"], "un": "yes_named"}
            submitted["consent_wording"] = {**submitted["consent_wording"], "un": "w"}
        case, code = services.case_submit(**submitted)
        if status or verified:
            update = {"status": status or case.status}
            if verified:
                update["verified_at"] = case.received_at
            Case.objects.for_institution(case.institution).filter(pk=case.pk).update(**update)
            case.refresh_from_db()
        case.receipt_code = code
        return case


def move(case, key, officer, to, **kw):
    return services.case_transition(case=case, case_key=key, by=officer, to_status=to, reason=f"why {to}", **kw)


def walk_to(case, key, officer, status):
    """Take a fresh case along the happy path up to `status`."""
    path = [Status.ASSESSMENT, Status.VERIFICATION, Status.ACTION, Status.CLOSED]
    for step in path[: path.index(status) + 1] if status != Status.RECEIVED else []:
        if step == Status.VERIFICATION:
            move(case, key, officer, step, **ADMISSIBLE)
        elif step == Status.ACTION:
            services.source_add(
                case=case, case_key=key, by=officer, kind="witness", reliability="reliable", description="w"
            )
            move(case, key, officer, step, reasonable_grounds=True)
        elif step == Status.CLOSED:
            move(case, key, officer, step, outcome=Outcome.RESOLVED)
        else:
            move(case, key, officer, step)
    case.refresh_from_db()
    return case


def clone_cases(case, n, **fields):
    """n copies of `case` (clear fields only differ), with their violation type and defender group."""
    vt = ViolationType.objects.get(code="judicial-harassment")
    dg = DefenderGroup.objects.get(code="land-environment")
    rows = [
        Case(
            institution=case.institution,
            reference=f"T-{i:07d}",
            keyring=case.keyring,
            sealed_key=case.sealed_key,
            receipt_lookup=crypto.keyed_hash("inbox-test", str(i)),
            receipt_salt=b"",
            receipt_kdf={},
            receipt_wrapped_key=b"",
            payload=case.payload,
            country_code="TL",
            subregion=case.subregion,
            **fields,
        )
        for i in range(n)
    ]
    created = Case.objects.bulk_create(rows, batch_size=1000)
    Case.violation_types.through.objects.bulk_create(
        [Case.violation_types.through(case_id=c.pk, violationtype_id=vt.pk) for c in created[::2]]
    )
    Case.defender_groups.through.objects.bulk_create(
        [Case.defender_groups.through(case_id=c.pk, defendergroup_id=dg.pk) for c in created[::3]]
    )
    return created


def unlock_client(client, institution):
    r = client.post(f"/{institution.slug}/cases/unlock/", {"passphrase": PASSPHRASE})
    assert r.status_code == 302
