"""Hypothesis fuzzing of every public field of the report form and follow-up: never a server error, never a
half-saved report. Examples per test: R2DR_FUZZ_EXAMPLES (default 50)."""

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases import forms
from cases.models import Case, CaseMessage, Consent
from tests.cases.helpers import CaseFactory, receipt_of, state_of, step_data, submit_report, walk_report

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("R2DR_FUZZ_EXAMPLES", "50"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

text = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "99999999999999999999",
            "2025-02-30",
            "\x00",
            "<script>",
            "' OR 1=1 --",
            "yes",
            "no",
            "ZZ",
            "1e9",
        ]
    ),
    st.binary(max_size=40).map(lambda b: b.decode("latin-1")),
)
values = st.lists(text, max_size=3)
ALL_FIELDS = sorted(
    {name for cls in forms.STEPS for name in cls.base_fields}
    | {f"consent_{kind}" for kind in forms.CONSENT_QUESTIONS}
    | {"state", "nav", "challenge", "website", "saved_confirm"}
)
payload = st.dictionaries(st.sampled_from(ALL_FIELDS + ["unknown", "csrfmiddlewaretoken"]), values, max_size=12)


def _consistent(institution):
    n = Case.objects.for_institution(institution).count()
    intake = Consent.objects.for_institution(institution).filter(source="intake").count()
    assert intake == 4 * n, "half-saved report"
    return n


@pytest.fixture
def ready(institution_a, keyed, taxonomy):
    keyed(institution_a)
    return institution_a


@FUZZ
@given(
    step=st.sampled_from(forms.STEP_NAMES),
    data=payload,
    nav=st.sampled_from(["next", "back", "submit", "goto:who", "goto:consent", "x", "saved"]),
)
def test_fuzz_every_step(client, ready, step, data, nav):
    """Start a real form, reach a step, then send arbitrary values for every field."""
    url = f"/{ready.slug}/report/"
    good = step_data()
    r = walk_report(client, ready, good, through=forms.STEP_NAMES[: forms.STEP_NAMES.index(step)])
    post = {"state": state_of(r), "nav": nav, **{k: v for k, v in data.items() if k != "state"}}
    r = client.post(url, post)
    assert r.status_code < 500
    _consistent(ready)


@FUZZ
@given(data=payload)
def test_fuzz_raw_posts(client, ready, data):
    """Arbitrary POSTs without a valid state, including forged states."""
    r = client.post(f"/{ready.slug}/report/", data)
    assert r.status_code < 500
    assert _consistent(ready) == 0


@FUZZ
@given(
    consent=st.dictionaries(
        st.sampled_from(
            [
                "consent_contact",
                "consent_un",
                "consent_protection",
                "consent_statistics",
                "contact_method",
                "contact_details",
                "submitter_email",
                "website",
            ]
        ),
        values,
        max_size=8,
    )
)
def test_fuzz_final_step(client, ready, consent):
    url = f"/{ready.slug}/report/"
    good = step_data()
    r = walk_report(client, ready, good)
    before = _consistent(ready)
    r = client.post(url, {"state": state_of(r), "nav": "submit", **consent})
    assert r.status_code < 500
    after = _consistent(ready)
    assert after in (before, before + 1)
    if after == before + 1:
        assert "Your receipt code" in r.content.decode()


@FUZZ
@given(receipt=text, extra=payload)
def test_fuzz_followup(client, ready, receipt, extra):
    r = client.post("/follow-up/", {"receipt": receipt, "institution": ready.slug, "nav": "open", **extra})
    assert r.status_code < 500
    r = client.post(f"/{ready.slug}/follow-up/", {"receipt": receipt, **extra})
    assert r.status_code < 500


@FUZZ
@given(body=values, nav=st.sampled_from(["reply", "consent", "leave", "refresh", ""]), kind=values, answer=values)
def test_fuzz_followup_actions(client, ready, body, nav, kind, answer):
    case = CaseFactory(institution=ready, private={"narrative": "n"}, consents={}, consent_wording={})
    r = client.post(f"/{ready.slug}/follow-up/", {"receipt": case.receipt_code, "nav": "open"})
    messages_before = CaseMessage.objects.for_institution(ready).count()
    r = client.post(
        f"/{ready.slug}/follow-up/", {"state": state_of(r), "nav": nav, "body": body, "kind": kind, "answer": answer}
    )
    assert r.status_code < 500
    assert CaseMessage.objects.for_institution(ready).count() in (messages_before, messages_before + 1)


def test_receipt_helper_roundtrip(client, ready):
    assert len(receipt_of(submit_report(client, ready)).split()) == 5


@FUZZ
@given(blob=st.binary(max_size=300), name=st.text(max_size=40))
def test_fuzz_uploads(client, ready, blob, name):
    import io

    url = f"/{ready.slug}/report/"
    good = step_data()
    r = walk_report(client, ready, good)
    f = io.BytesIO(blob)
    f.name = name or "x"
    before = _consistent(ready)
    r = client.post(url, {"state": state_of(r), "nav": "submit", **good["consent"], "files": f})
    assert r.status_code < 500
    assert _consistent(ready) in (before, before + 1)
