import pathlib
import re

import pytest
from django.test import Client

from tests.cases.helpers import STEPS, state_of, step_data, walk_report
from tests.refusals import refused_request

pytestmark = pytest.mark.django_db

TEMPLATES = pathlib.Path(__file__).resolve().parents[2] / "cases" / "templates"


def test_templates_have_no_inline_script_or_style():
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"\sstyle\s*=", text), path
        assert not re.search(r"<style", text), path
        assert not re.search(r"<script(?![^>]*\ssrc=)", text), path
        assert not re.search(r"\son[a-z]+\s*=", text), path  # no inline event handlers


def test_public_form_enforces_csrf(institution_a, keyed, taxonomy):
    keyed(institution_a)
    client = Client(enforce_csrf_checks=True)
    refused_request(client.post, f"/{institution_a.slug}/report/", {"nav": "start"}, status=403)
    r = client.get(f"/{institution_a.slug}/report/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.content.decode()).group(1)
    r = client.post(f"/{institution_a.slug}/report/", {"nav": "start", "csrfmiddlewaretoken": token})
    assert r.status_code == 200 and state_of(r)
    refused_request(client.post, f"/{institution_a.slug}/follow-up/", {"receipt": "1" * 25}, status=403)


def test_upload_on_earlier_step_is_not_kept(client, institution_a, keyed, taxonomy, settings):
    import io

    keyed(institution_a)
    f = io.BytesIO(b"%PDF-1.4 early")
    f.name = "early.pdf"
    walk_report(client, institution_a, {"who": {"files": f}}, through=("who",))
    assert not [p for p in pathlib.Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_sensitive_post_parameters_on_case_views(client, institution_a, keyed, taxonomy):
    officer, _ = keyed(institution_a)
    for url, data in (
        (f"/{institution_a.slug}/report/", {"nav": "start"}),
        (f"/{institution_a.slug}/follow-up/", {"receipt": "1" * 25}),
        ("/follow-up/", {"receipt": "1" * 25}),
    ):
        r = client.post(url, data)
        assert r.wsgi_request.sensitive_post_parameters == "__ALL__", url
    client.force_login(officer)
    for url in ("cases/unlock/", "cases/keys/recover/", "cases/keys/my-key/"):
        r = client.post(f"/{institution_a.slug}/{url}", {"passphrase": "x"})
        assert r.wsgi_request.sensitive_post_parameters == "__ALL__", url


def test_no_store_on_every_public_page(client, institution_a, keyed, taxonomy):
    keyed(institution_a)
    for url in ("/report/", "/follow-up/", f"/{institution_a.slug}/report/", f"/{institution_a.slug}/follow-up/"):
        r = client.get(url)
        assert "no-store" in r["Cache-Control"], url
        r = client.post(url, {"receipt": "12"})
        assert "no-store" in r["Cache-Control"], url


def test_failed_commit_lets_the_form_be_sent_again(client, institution_a, keyed, taxonomy, monkeypatch):
    from cases import services
    from cases.models import Case

    keyed(institution_a)
    data = step_data()
    url = f"/{institution_a.slug}/report/"
    r = walk_report(client, institution_a, data)
    final = {"state": state_of(r), "nav": "submit", **data["consent"]}
    original = services.case_submit

    def boom(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "case_submit", boom)
    client.raise_request_exception = False
    assert client.post(url, final).status_code == 500
    monkeypatch.setattr(services, "case_submit", original)
    r = client.post(url, final)
    assert "Your receipt code" in r.content.decode()
    assert Case.objects.for_institution(institution_a).count() == 1


HUGE = ["9223372036854775808", "-9223372036854775809", "1" * 40]


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize(
    ("step", "field"),
    [("who", "defender_groups"), ("what", "perpetrator_types"), ("what", "violation_types"), ("what", "rights")],
)
def test_a_huge_number_in_a_public_choice_field_is_a_validation_error(
    client, institution_a, keyed, taxonomy, step, field, value
):
    """Found by hypothesis: perpetrator_types=9223372036854775808 answered 500 (OverflowError on SQLite)."""
    from cases.models import Case

    keyed(institution_a)
    data = step_data()
    data[step] = {**data[step], field: [value]}
    r = walk_report(client, institution_a, data, through=STEPS[: STEPS.index(step) + 1])
    assert r.status_code == 200
    page = r.content.decode()
    assert "Select a valid choice" in page and value in page  # a clear message, and the input kept
    assert 'value="Secret village"' in page or step == "who"
    assert Case.objects.for_institution(institution_a).count() == 0


@pytest.mark.parametrize("value", HUGE)
def test_a_huge_number_in_the_staff_record_form_is_a_validation_error(client, institution_a, keyed, taxonomy, value):
    from cases.models import Case
    from tests.cases.conftest import PASSPHRASE

    officer, _kit = keyed(institution_a)
    client.force_login(officer)
    assert client.post(f"/{institution_a.slug}/cases/unlock/", {"passphrase": PASSPHRASE}).status_code == 302
    data = step_data()
    posted = {"record-origin": "monitoring", "record-urgency": "routine", "record-source_kind": "media"}
    posted |= {f"{step}-{k}": v for step, fields in data.items() for k, v in fields.items()}
    posted["what-perpetrator_types"] = [value]
    r = client.post(f"/{institution_a.slug}/cases/record/", posted)
    assert r.status_code == 200
    assert "Select a valid choice" in r.content.decode()
    assert Case.objects.for_institution(institution_a).count() == 0
