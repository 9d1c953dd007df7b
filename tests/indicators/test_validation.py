from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators import rating, validation
from indicators.models import Indicator


def ind(value_type="count", **kw):
    return Indicator(code=kw.pop("code", "X.1"), value_type=value_type, **kw)


def codes(issues):
    return [i.code for i in issues]


def test_yes_partly_no_accepts_only_its_choices():
    assert "type" in codes(validation.check(ind("ypn"), answer="maybe", source_count=1))
    assert validation.check(ind("ypn"), answer="partly", source_count=1) == []


def test_count_must_be_whole_and_in_range():
    i = ind("count", min_value=Decimal(0))
    assert "type" in codes(validation.check(i, answer="2.5", source_count=1))
    assert "range" in codes(validation.check(i, answer="-1", source_count=1))
    assert "type" in codes(validation.check(i, answer="twelve", source_count=1))
    assert validation.check(i, answer="12", source_count=1) == []


def test_percent_range():
    assert "range" in codes(validation.check(ind("percent"), answer="120", source_count=1))
    assert validation.check(ind("percent"), answer="99.5", source_count=1) == []


def test_categorical():
    i = ind("categorical", categories=[{"code": "notification", "label": "N"}])
    assert "type" in codes(validation.check(i, answer="permit", source_count=1))
    assert validation.check(i, answer="notification", source_count=1) == []


def test_source_is_required_for_every_answer_including_not_available():
    assert "source" in codes(validation.check(ind("ypn"), answer="na", source_count=0))


def test_unanswered_is_an_error_only_at_submission():
    assert validation.check(ind("ypn"), answer="", source_count=0) == []
    assert "required" in codes(validation.check(ind("ypn"), answer="", source_count=0, for_submit=True))


def test_count_cannot_exceed_its_total():
    i = ind("count", total_code="T.1")
    assert "consistency" in codes(validation.check(i, answer="5", source_count=1, totals={"T.1": Decimal(3)}))
    assert validation.check(i, answer="3", source_count=1, totals={"T.1": Decimal(3)}) == []


def test_breakdown_cannot_exceed_total():
    i = ind("count")
    issues = validation.check(i, answer="4", source_count=1, disaggregation={"sex": {"women": "3", "men": "2"}})
    assert "consistency" in codes(issues)


def test_outlier_warns_and_blocks_submission_without_justification():
    i = ind("count", outlier_threshold=Decimal("0.5"))
    warn = validation.check(i, answer="30", source_count=1, previous=Decimal(10))
    assert [x.level for x in warn if x.code == "outlier"] == ["warning"]
    block = validation.check(i, answer="30", source_count=1, previous=Decimal(10), for_submit=True)
    assert [x.level for x in block if x.code == "outlier"] == ["error"]
    ok = validation.check(
        i, answer="30", source_count=1, previous=Decimal(10), for_submit=True, justification="New police data source"
    )
    # Explained, the warning becomes a resolved note that quotes the explanation (and no longer asks for one).
    (note,) = [x for x in ok if x.code == "outlier"]
    assert note.level == "resolved" and "New police data source" in note.message and "explain why" not in note.message
    for whitespace in ("", "  \n "):
        unexplained = validation.check(i, answer="30", source_count=1, previous=Decimal(10), justification=whitespace)
        assert [x.level for x in unexplained if x.code == "outlier"] == ["warning"]
    assert not [
        x for x in validation.check(i, answer="11", source_count=1, previous=Decimal(10)) if x.code == "outlier"
    ]


def test_rating_rules():
    assert rating.rate({"kind": "map", "map": {"yes": "restrictive"}}, "yes") == "restrictive"
    rule = {"kind": "threshold", "higher_is_better": False, "enabling": 0, "partly": 5}
    assert [rating.rate(rule, v) for v in ("0", "3", "9", "na", "")] == [
        "enabling",
        "partly",
        "restrictive",
        "nodata",
        "nodata",
    ]
    up = {"kind": "threshold", "higher_is_better": True, "enabling": 80, "partly": 50}
    assert [rating.rate(up, v) for v in ("90", "60", "10")] == ["enabling", "partly", "restrictive"]
    assert rating.summarise(["enabling", "restrictive"])["status"] == "restrictive"  # ties go to the worse
    assert rating.summarise(["enabling", "enabling", "restrictive", "nodata"])["status"] == "enabling"
    assert rating.summarise(["nodata"])["status"] == "nodata"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40), st.sampled_from(["ypn", "count", "percent", "categorical", "narrative"]))
def test_no_input_crashes_the_rules(text, value_type):
    i = ind(value_type, categories=[{"code": "a", "label": "A"}], outlier_threshold=Decimal("0.5"))
    answer, _number = validation.normalise(i, text)
    validation.check(
        i,
        answer=answer,
        narrative=text,
        disaggregation={"sex": {"women": text}},
        source_count=1,
        previous=Decimal(3),
        for_submit=True,
    )


@pytest.mark.parametrize("raw", ["N/A", "data not available", " na "])
def test_not_available_spellings(raw):
    assert validation.normalise(ind("count"), raw) == ("na", None)


@pytest.mark.parametrize(
    ("value_type", "raw", "stored"),
    [
        ("count", "1,000", "1000"),
        ("count", " 12 ", "12"),
        ("count", "๑๒", "12"),  # Thai digits
        ("percent", "35 %", "35"),
        ("percent", "100.00", "100"),
        ("percent", "-0", "0"),
        ("ypn", "Partly", "partly"),
    ],
)
def test_valid_answers_are_stored_in_plain_form(value_type, raw, stored):
    i = ind(value_type)
    assert validation.entry_errors(i, {"answer": raw}) == {}
    assert validation.normalise(i, raw)[0] == stored


@pytest.mark.parametrize(
    ("value_type", "raw"),
    [
        ("percent", "twelve"),
        ("percent", "1,5"),
        ("percent", "100.5"),
        ("percent", "12.345"),
        ("percent", "1e2"),
        ("percent", "NaN"),
        ("count", "Infinity"),
        ("count", "-1"),
        ("count", "3.5"),
        ("count", "1" * 13),
        ("count", "1 000"),
        ("ypn", "maybe"),
        ("narrative", "text in the answer"),
    ],
)
def test_answers_that_cannot_be_stored(value_type, raw):
    i = ind(value_type)
    assert list(validation.entry_errors(i, {"answer": raw})) == ["answer"]
    # A legacy value stored before saving refused them never counts as answered.
    assert not validation.is_answered(i, validation.normalise(i, raw)[0], "")
