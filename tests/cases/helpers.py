"""Drive the public form with the Django test client, as a browser without JavaScript would."""

import re

from cases.models import DefenderGroup, PerpetratorType, Right, ViolationType

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


def submit_report(client, institution, data=None, files=None, extra_final=None, headers=None):
    """Walk every step; return the final response (receipt page on success)."""
    data = data or step_data()
    url = f"/{institution.slug}/report/"
    headers = headers or {}
    r = client.post(url, {"nav": "start"}, **headers)
    assert r.status_code == 200
    for step in ("who", "what", "since"):
        r = client.post(url, {"state": state_of(r), "nav": "next", **data[step]}, **headers)
        assert r.status_code == 200, r.content[:500]
    final = {"state": state_of(r), "nav": "submit", **data["consent"], **(extra_final or {})}
    if files:
        final["files"] = files
    return client.post(url, final, **headers)


def receipt_of(response):
    match = CODE.search(response.content.decode())
    assert match, response.content.decode()[:3000]
    return match.group(1)
