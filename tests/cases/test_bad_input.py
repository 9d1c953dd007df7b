"""Bad input to the public form, the follow-up and the officer's image view answers clearly: never a 500, and
never silently stored differently from what the defender saw confirmed."""

import pytest
from django import forms as djforms

from cases import forms
from cases.models import Case
from tests.cases.helpers import state_of, step_data, submit_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(institution_a, keyed, taxonomy):
    officer, _kit = keyed(institution_a)
    return institution_a, officer


# --- 1. a NUL byte in the follow-up's institution field -------------------------------------------------------


def test_nul_byte_in_the_follow_up_institution_is_a_clear_message(client, ready):
    institution, _ = ready
    r = client.post("/follow-up/", {"institution": f"{institution.slug}\x00", "receipt": "1234"})
    assert r.status_code == 200
    assert "Choose the institution you reported to." in r.content.decode()


# --- 2. a form body declared in a charset the form cannot be read in --------------------------------------------


@pytest.mark.parametrize("path", ["/follow-up/", "/{slug}/report/", "/{slug}/follow-up/", "/accounts/login/"])
def test_a_body_declared_utf16_is_a_clear_400_page(client, ready, path):
    institution, _ = ready
    client.raise_request_exception = False
    body = "institution=a&receipt=1234&nav=start".encode("utf-16")
    r = client.generic(
        "POST",
        path.format(slug=institution.slug),
        body,
        content_type="application/x-www-form-urlencoded; charset=utf-16",
    )
    assert r.status_code == 400
    page = r.content.decode()
    assert "could not be read" in page
    assert "Server error" not in page


# --- 4. an answer longer than its field's limit -----------------------------------------------------------------


def _long_fields():
    return [
        (cls.step, name, field.max_length)
        for cls in forms.STEPS
        for name, field in cls.base_fields.items()
        if isinstance(field, djforms.CharField) and not isinstance(field, djforms.EmailField) and field.max_length
    ]


@pytest.mark.parametrize(("step", "name", "limit"), _long_fields())
def test_an_answer_over_its_limit_is_refused_with_the_limit_and_its_length_and_kept(client, ready, step, name, limit):
    institution, _ = ready
    data = step_data()
    text = "x" * (limit + 1)
    data[step][name] = text
    url = f"/{institution.slug}/report/"
    r = client.post(url, {"nav": "start"})
    for current in forms.STEP_NAMES:
        nav = "submit" if current == forms.STEP_NAMES[-1] else "next"
        r = client.post(url, {"state": state_of(r), "nav": nav, **data[current]})
        assert r.status_code == 200
        if current == step:
            break
    page = r.content.decode()
    assert "Your receipt code" not in page
    assert f"at most {limit:,} characters" in page and f"it has {limit + 1:,}" in page, page[:3000]
    assert text in page  # what was typed comes back, to be shortened
    assert not Case.objects.for_institution(institution).exists()


def test_a_20001_character_narrative_is_never_stored_cut(client, ready):
    institution, _ = ready
    data = step_data(narrative="n" * 20_001)
    r = submit_report(client, institution, data=data)
    assert "Your receipt code" not in r.content.decode()
    assert not Case.objects.for_institution(institution).exists()
