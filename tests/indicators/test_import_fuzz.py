"""No uploaded sheet makes the importer fail with anything but a user-facing error, and a rejected file changes
nothing (property-based)."""

import io
import os

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators import services, tabular
from indicators.models import Value
from tests.indicators.helpers import open_cycle

EXAMPLES = int(os.environ.get("R2DR_FUZZ_EXAMPLES", "150"))
URLS = ["https://example.org/a", "not a url", "javascript:alert(1)"]
COLUMNS = [
    "indicator_code",
    "answer",
    "narrative",
    "confidence",
    "justification",
    "new_source",
    "new_source_kind",
    "new_source_url",
    "new_source_date",
]
cell = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["1.1.S1", "1.1.O1", "yes", "na", "-3", "1e9", "high", "law", "2025-02-30", "=cmd()", ""]),
)


@pytest.fixture
def cycle(institution_a):
    return open_cycle(institution_a)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".xlsx", ".txt"]))
def test_read_table_never_crashes(raw, suffix):
    try:
        tabular.read_table(SimpleUploadedFile("sheet" + suffix, raw))
    except ValidationError:
        pass


@pytest.mark.django_db
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.fixed_dictionaries({c: cell for c in COLUMNS}), max_size=6))
def test_import_is_all_or_nothing(cycle, rows):
    user = cycle.test_users["respondent"]
    institution = cycle.institution
    before = list(Value.objects.for_institution(institution).order_by("pk").values_list("answer", "narrative"))
    try:
        services.cycle_import(cycle=cycle, by=user, rows=rows)
    except services.ImportRejected:
        after = list(Value.objects.for_institution(institution).order_by("pk").values_list("answer", "narrative"))
        assert after == before


def test_csv_export_neutralises_formulas():
    out = tabular.write_csv([{"a": "=HYPERLINK(1)", "b": "-3"}], ["a", "b"]).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in out and ",-3" in out
    rows = tabular.read_table(SimpleUploadedFile("x.csv", (b"indicator_code,a\n1,'=X\n")))
    assert rows[0]["a"] == "=X"
    assert io.BytesIO(tabular.write_xlsx([{"a": "=1+1"}], ["a"])).getvalue()[:2] == b"PK"
