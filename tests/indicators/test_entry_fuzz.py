"""Whatever is typed into an answer, the page either stores a value that is valid for the indicator's type or
stores nothing and shows an error beside the field (property-based; derandomised under the ci profile)."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators import selectors
from indicators.models import ValueHistory
from tests.indicators.helpers import open_cycle

# One indicator of each answer type of area 1: percentage, count, yes/partly/no, categorical.
CODES = ["1.1.P1", "1.1.O1", "1.1.S1", "1.2.O1"]
typed = st.one_of(
    st.text(max_size=30),
    st.from_regex(r"\A[ +-]?[0-9,]{0,16}(\.[0-9]{0,4})?[ %]{0,2}\Z"),
    st.sampled_from(
        ["12", "twelve", "100", "100.01", "35 %", "1,000", "1,5", "-0", "1e3", "NaN", "Infinity", "n/a", "Yes"]
    ),
    st.sampled_from(["yes", "partly", "no", "na", "notification", "permit"]),
)


@pytest.fixture
def entry(client, institution_a):
    cycle = open_cycle(institution_a)
    client.force_login(cycle.test_users["respondent"])
    values = {v.indicator.code: v for v in cycle.values.select_related("indicator").filter(indicator__code__in=CODES)}
    return client, cycle, values


def _valid_for_type(indicator, answer, number):
    """An independent statement of what may be stored, by type."""
    if answer == "na":
        return number is None
    if indicator.value_type == "ypn":
        return answer in ("yes", "partly", "no")
    if indicator.value_type == "categorical":
        return answer in {c["code"] for c in indicator.categories}
    if not re.fullmatch(r"-?[0-9]+(\.[0-9]{1,2})?", answer):
        return False
    stored = Decimal(answer)
    if number != stored or stored < 0:
        return False
    if indicator.value_type == "percent":
        return stored <= 100
    return stored == stored.to_integral_value() and stored < 10**12


def _means(indicator, typed, stored):
    """Whether `typed` is another way of writing the stored answer."""
    text = typed.strip()
    if text.lower() in ("n/a", "na", "data not available", "not available"):
        return stored == "na"
    if indicator.is_numeric and stored not in ("", "na"):
        try:
            return Decimal(text.removesuffix("%").strip().replace(",", "")) == Decimal(stored)
        except ArithmeticError:
            return False
    return text.lower() == stored or text == stored


@pytest.mark.django_db
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(code=st.sampled_from(CODES), answer=typed, narrative=st.text(max_size=20), autosave=st.booleans())
def test_an_answer_is_stored_valid_or_refused_with_an_error(entry, code, answer, narrative, autosave):
    client, cycle, values = entry
    value = values[code]
    value.refresh_from_db()
    before = value.answer
    changes_before = ValueHistory.objects.for_institution(cycle.institution).filter(value=value, field="answer").count()
    prefix = f"v{value.pk}-"
    data = {prefix + "answer": answer, prefix + "narrative": narrative}
    headers = {"HTTP_HX_REQUEST": "true"} if autosave else {}
    if not autosave:
        data["action"] = "save"
    response = client.post(
        reverse(
            "indicators_value",
            kwargs={"institution_slug": cycle.institution.slug, "cycle_id": cycle.pk, "indicator_code": code},
        ),
        data,
        **headers,
    )
    assert response.status_code in (200, 302)
    body = response.content.decode()
    refused = "Not saved:" in body
    if refused:
        assert 'class="field-error error"' in body  # the error is beside the field
    value.refresh_from_db()
    answer_changes = ValueHistory.objects.for_institution(cycle.institution).filter(value=value, field="answer")
    if value.answer != before:
        assert answer_changes.count() == changes_before + 1
        if value.answer == "":
            assert answer.strip() == ""  # cleared on purpose
        else:
            assert _valid_for_type(value.indicator, value.answer, value.number), (answer, value.answer)
            if value.indicator.is_numeric and value.answer != "na":
                typed_number = answer.strip().removesuffix("%").strip().replace(",", "")
                assert Decimal(value.answer) == Decimal(typed_number)  # the number typed, not another one
    else:
        # Nothing stored: the same answer typed again, or a refusal the page shows.
        assert answer_changes.count() == changes_before
        assert refused or _means(value.indicator, answer, before), (answer, before)
    if value.narrative != narrative.strip():
        assert refused and "\x00" in narrative
    # Whatever is stored counts only if it is a valid answer.
    complete = selectors.value_is_complete(value, n_sources=1)
    assert complete == (bool(value.answer) and _valid_for_type(value.indicator, value.answer, value.number))
