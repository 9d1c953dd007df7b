import csv
import datetime
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from django.urls import reverse
from openpyxl import load_workbook

from indicators import selectors, services
from indicators.forms import IndicatorForm
from indicators.framework_seed import ensure_framework
from indicators.models import Cycle, CycleArea, MonitoringRound, Source, Value, ValueHistory
from r2dr.roles import Role
from tests.indicators.helpers import approve_area, fill_area, open_cycle, publish, staff, trail

pytestmark = pytest.mark.django_db


def url(name, cycle, **kw):
    return reverse(name, kwargs={"institution_slug": cycle.institution.slug, "cycle_id": cycle.pk, **kw})


def login(client, user):
    client.force_login(user)
    return client


def test_public_framework_page_and_downloads(client):
    ensure_framework()
    page = client.get("/framework/")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'id="1.1.S1"' in body and 'href="#5.1.O1"' in body
    assert "Answer yes if all six are ratified" in body  # guidance is on the page
    data = client.get("/framework/r2dr-framework.json").json()
    assert data["version"] == 1 and len(data["indicators"]) == 49
    rows = list(csv.DictReader(io.StringIO(client.get("/framework/r2dr-framework.csv").content.decode("utf-8-sig"))))
    assert {r["code"] for r in rows} >= {"1.1.S1", "5.2.O2"}


def test_data_entry_page_query_count_does_not_grow(client, institution_a, institution_b, django_assert_max_num_queries):
    cycle = open_cycle(institution_a)
    user = cycle.test_users["respondent"]
    login(client, user)
    area_url = url("indicators_area", cycle, area_code="1")
    client.get(area_url)
    with django_assert_max_num_queries(20) as empty:
        assert client.get(area_url).status_code == 200
    fill_area(cycle.areas.get(), user)
    for value in cycle.values.all()[:5]:
        services.source_add(value=value, by=user, kind="law", citation="second source")
    with django_assert_max_num_queries(len(empty.captured_queries)) as full:
        response = client.get(area_url)
    assert response.status_code == 200
    print("data-entry page queries:", len(empty.captured_queries), "empty /", len(full.captured_queries), "full")


def test_cycle_overview_query_count(client, institution_a, django_assert_max_num_queries):
    cycle = open_cycle(institution_a, areas=("1", "2", "3", "4", "5"))
    login(client, cycle.test_users["head"])
    for ca in cycle.areas.all()[:3]:
        fill_area(ca, cycle.test_users["respondent"])
    with django_assert_max_num_queries(16) as ctx:
        response = client.get(url("indicators_cycle", cycle))
    assert response.status_code == 200
    assert "Completeness" in response.content.decode()
    print("cycle overview queries:", len(ctx.captured_queries))


def test_autosave_refuses_an_invalid_percentage_and_saves_the_rest(client, institution_a):
    cycle = open_cycle(institution_a)
    user = cycle.test_users["respondent"]
    value = cycle.values.get(indicator__code="1.1.P1")
    services.source_add(value=value, by=user, kind="document", citation="Police report")
    login(client, user)
    prefix = f"v{value.pk}-"
    response = client.post(
        url("indicators_value", cycle, indicator_code="1.1.P1"),
        {prefix + "answer": "twelve", prefix + "narrative": "Police data"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Not saved:" in body and "Enter a percentage from 0 to 100" in body
    assert "Saved " not in body and "The other changes are saved" in body
    # The error goes beside the field (an out-of-band swap of its error slot), which the input points at.
    assert f'id="id_{prefix}answer-error" data-hx-swap-oob="true">Enter a percentage' in body
    value.refresh_from_db()
    assert value.answer == "" and value.number is None and value.narrative == "Police data"
    assert not ValueHistory.objects.for_institution(institution_a).filter(value=value, field="answer").exists()
    # Not ticked and not counted, on the page as in the cycle overview.
    page = client.get(url("indicators_area", cycle, area_code="1")).content.decode()
    assert f'id="toc-{value.pk}" href="#ind-1.1.P1" class="todo"' in page
    assert f'aria-describedby="id_{prefix}answer-error"' in page
    overview = selectors.cycle_overview(institution=institution_a, cycle=cycle)
    assert overview["complete"] == 0
    # A valid percentage is stored, ticked and counted.
    client.post(
        url("indicators_value", cycle, indicator_code="1.1.P1"), {prefix + "answer": "12"}, HTTP_HX_REQUEST="true"
    )
    value.refresh_from_db()
    assert value.answer == "12" and selectors.cycle_overview(institution=institution_a, cycle=cycle)["complete"] == 1


def test_plain_save_of_an_invalid_answer_keeps_it_typed_with_the_error(client, institution_a):
    cycle = open_cycle(institution_a)
    user = cycle.test_users["respondent"]
    value = cycle.values.get(indicator__code="1.1.P1")
    services.value_save(value=value, by=user, data={"answer": "40"})
    login(client, user)
    prefix = f"v{value.pk}-"
    response = client.post(
        url("indicators_value", cycle, indicator_code="1.1.P1"),
        {prefix + "answer": "twelve", prefix + "src_citation": "Ministry register", "action": "add_source"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="twelve"' in body and 'aria-invalid="true"' in body
    assert "1.1.P1: Answer (%) was not saved: Enter a percentage" in body
    assert 'value="Ministry register"' in body  # the new source waits until the answer is fixed
    value.refresh_from_db()
    assert value.answer == "40" and not value.sources.exists()


def test_an_invalid_choice_never_erases_the_stored_answer(client, institution_a):
    cycle = open_cycle(institution_a)
    user = cycle.test_users["respondent"]
    value = cycle.values.get(indicator__code="1.1.S1")
    services.value_save(value=value, by=user, data={"answer": "yes", "confidence": "high"})
    login(client, user)
    prefix = f"v{value.pk}-"
    response = client.post(
        url("indicators_value", cycle, indicator_code="1.1.S1"),
        {prefix + "answer": "maybe", prefix + "confidence": "total", prefix + "narrative": "x" + "\x00"},
        HTTP_HX_REQUEST="true",
    )
    assert "Not saved:" in response.content.decode()
    value.refresh_from_db()
    assert (value.answer, value.confidence, value.narrative) == ("yes", "high", "")


def test_plain_form_with_a_bad_source_keeps_everything_typed(client, institution_a):
    cycle = open_cycle(institution_a)
    value = cycle.values.get(indicator__code="1.1.S2")
    login(client, cycle.test_users["respondent"])
    prefix = f"v{value.pk}-"
    response = client.post(
        url("indicators_value", cycle, indicator_code="1.1.S2"),
        {
            prefix + "answer": "partly",
            prefix + "narrative": "Decree 5/2019",
            prefix + "src_kind": "law",
            prefix + "src_citation": "Decree 5/2019",
            prefix + "src_url": "not a url",
            "action": "save",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="Decree 5/2019"' in body and "Enter a valid URL" in body
    value.refresh_from_db()
    assert value.answer == "partly"
    assert not Source.objects.for_institution(institution_a).filter(value=value).exists()


def test_source_upload_and_tenant_checked_download(client, institution_a, institution_b, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cycle = open_cycle(institution_a)
    value = cycle.values.get(indicator__code="1.1.S2")
    login(client, cycle.test_users["respondent"])
    prefix = f"v{value.pk}-"
    pdf = SimpleUploadedFile("decree.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = client.post(
        url("indicators_value", cycle, indicator_code="1.1.S2"),
        {
            prefix + "answer": "yes",
            prefix + "src_kind": "law",
            prefix + "src_file": pdf,
            "action": "add_source",
        },
    )
    assert response.status_code == 302
    source = Source.objects.for_institution(institution_a).get(value=value)
    assert source.citation == "decree.pdf" and "decree" not in source.file.name
    file_url = reverse("indicators_source_file", kwargs={"institution_slug": "inst-a", "source_id": source.pk})
    download = client.get(file_url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 test"
    outsider = staff(institution_b, Role.DATA_OFFICER)
    login(client, outsider)
    before = (trail(institution_a), trail(institution_b))
    refused = client.get(file_url)
    assert refused.status_code == 403 and b"%PDF" not in refused.content
    other_slug = reverse("indicators_source_file", kwargs={"institution_slug": "inst-b", "source_id": source.pk})
    not_found = client.get(other_slug)
    assert not_found.status_code == 404 and b"%PDF" not in not_found.content
    assert (trail(institution_a), trail(institution_b)) == before
    source.refresh_from_db()
    assert source.file.name and source.citation == "decree.pdf"


def test_upload_type_is_checked_by_content(client, institution_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cycle = open_cycle(institution_a)
    value = cycle.values.get(indicator__code="1.1.S2")
    login(client, cycle.test_users["respondent"])
    prefix = f"v{value.pk}-"
    fake = SimpleUploadedFile("decree.pdf", b"MZ\x90\x00 not a pdf")
    response = client.post(
        url("indicators_value", cycle, indicator_code="1.1.S2"),
        {
            prefix + "src_kind": "law",
            prefix + "src_file": fake,
            "action": "add_source",
        },
    )
    assert response.status_code == 200
    assert "does not match its type" in response.content.decode()
    assert not Source.objects.for_institution(institution_a).exists()


def test_non_respondent_cannot_save(client, institution_a):
    cycle = open_cycle(institution_a)
    login(client, staff(institution_a, Role.DATA_OFFICER, email="other.officer@test.example"))
    value = cycle.values.get(indicator__code="1.1.S1")
    before = trail(institution_a)
    response = client.post(url("indicators_value", cycle, indicator_code="1.1.S1"), {f"v{value.pk}-answer": "no"})
    assert response.status_code == 403
    value.refresh_from_db()
    assert value.answer == "" and value.updated_by is None
    assert trail(institution_a) == before


def test_review_return_via_page(client, institution_a):
    cycle = open_cycle(institution_a)
    users = cycle.test_users
    area = cycle.areas.get()
    fill_area(area, users["respondent"])
    services.cycle_area_submit(cycle_area=area, by=users["respondent"])
    login(client, users["reviewer"])
    review = url("indicators_area_review", cycle, area_code="1")
    assert "Approve and lock" in client.get(review).content.decode()
    # approving with a comment is refused, nothing changes
    response = client.post(review, {"action": "approve", "comment__1.1.S1": "Which treaties?"})
    assert response.status_code == 200
    area.refresh_from_db()
    assert area.status == CycleArea.Status.SUBMITTED
    response = client.post(review, {"action": "return", "comment__1.1.S1": "Which treaties?"})
    assert response.status_code == 302
    area.refresh_from_db()
    assert area.status == CycleArea.Status.RETURNED
    login(client, users["respondent"])
    page = client.get(url("indicators_area", cycle, area_code="1")).content.decode()
    assert "Which treaties?" in page
    mine = client.get(reverse("indicators_my_work", kwargs={"institution_slug": "inst-a"})).content.decode()
    assert "Returned to you" in mine and "General protection" in mine


def test_publish_button_only_for_head(client, institution_a):
    cycle = open_cycle(institution_a)
    users = cycle.test_users

    approve_area(cycle.areas.get(), respondent=users["respondent"], reviewer=users["reviewer"])
    login(client, users["reviewer"])
    before = trail(institution_a)
    assert client.post(url("indicators_cycle_publish", cycle)).status_code == 403
    cycle.refresh_from_db()
    assert not cycle.is_published and cycle.published_by is None
    assert trail(institution_a) == before
    login(client, users["head"])
    assert "Publish cycle" in client.get(url("indicators_cycle", cycle)).content.decode()
    assert client.post(url("indicators_cycle_publish", cycle)).status_code == 302
    cycle.refresh_from_db()
    assert cycle.is_published


def _export(client, cycle, fmt):
    return client.get(url(f"indicators_cycle_export_{fmt}", cycle))


def test_export_import_roundtrip_xlsx(client, institution_a):
    cycle = open_cycle(institution_a)
    login(client, cycle.test_users["respondent"])
    wb = load_workbook(io.BytesIO(_export(client, cycle, "xlsx").content))
    ws = wb.active
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        cells = dict(zip(header, row, strict=False))
        if cells["indicator_code"].value == "1.1.S1":
            cells["answer"].value = "partly"
            cells["new_source"].value = "Treaty status page"
            cells["new_source_kind"].value = "url"
            cells["new_source_url"].value = "https://treaties.un.org/"
    buf = io.BytesIO()
    wb.save(buf)
    upload = SimpleUploadedFile("values.xlsx", buf.getvalue())
    response = client.post(url("indicators_cycle_import", cycle), {"file": upload})
    assert response.status_code == 302
    value = cycle.values.get(indicator__code="1.1.S1")
    assert value.answer == "partly"
    assert value.sources.get().url == "https://treaties.un.org/"


def test_import_with_a_broken_row_changes_nothing(client, institution_a):
    cycle = open_cycle(institution_a)
    login(client, cycle.test_users["respondent"])
    text = _export(client, cycle, "csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    for row in rows:
        if row["indicator_code"] == "1.1.S1":
            row["answer"] = "yes"
        if row["indicator_code"] == "1.1.O1":
            row["answer"] = "-4"
        if row["indicator_code"] == "1.2.S1":
            row["confidence"] = "certain"
    rows.append({**rows[0], "indicator_code": "9.9.X9"})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0].keys()))
    writer.writeheader()
    writer.writerows(rows)
    before = list(Value.objects.for_institution(institution_a).values_list("answer", flat=True))
    response = client.post(
        url("indicators_cycle_import", cycle), {"file": SimpleUploadedFile("values.csv", out.getvalue().encode())}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was imported" in body and "9.9.X9" in body and "between 0" in body and "confidence" in body
    assert list(Value.objects.for_institution(institution_a).values_list("answer", flat=True)) == before


def test_results_page_hides_confidential_sources(client, institution_a):
    cycle = open_cycle(institution_a)
    value = cycle.values.get(indicator__code="1.1.S1")
    services.source_add(
        value=value,
        by=cycle.test_users["respondent"],
        kind="interview",
        citation="Defender in hiding",
        confidential=True,
    )
    publish(cycle)
    login(client, cycle.test_users["head"])
    body = client.get(url("indicators_cycle_results", cycle)).content.decode()
    assert "Annual report, 1.1.S1" in body and "Defender in hiding" not in body


def test_regional_pages(client, institution_a, regional_admin):
    publish(open_cycle(institution_a))
    login(client, regional_admin)
    body = client.get("/regional/indicators/").content.decode()
    assert "Institution A" in body or "THRC" in body
    assert client.get("/regional/framework/").status_code == 200
    response = client.post("/regional/framework/", {"title": "Version 2"})
    assert response.status_code == 302
    draft_url = response["Location"]
    assert client.get(draft_url).status_code == 200


def test_api_framework_and_cycle_values(client, institution_a, institution_b):
    cycle = open_cycle(institution_a)
    value = cycle.values.get(indicator__code="1.1.S1")
    services.value_save(value=value, by=cycle.test_users["respondent"], data={"answer": "yes"})
    services.source_add(
        value=value, by=cycle.test_users["respondent"], kind="interview", citation="Hidden", confidential=True
    )
    services.source_add(value=value, by=cycle.test_users["respondent"], kind="law", citation="Visible law")
    assert len(client.get("/api/v1/framework/indicators/").json()) == 49
    api_url = f"/api/v1/inst-a/indicators/cycles/{cycle.pk}/values/"
    before = trail(institution_a)
    anonymous = client.get(api_url)
    assert anonymous.status_code in (302, 403) and b"Visible law" not in anonymous.content
    login(client, cycle.test_users["respondent"])
    data = client.get(api_url).json()
    row = next(r for r in data if r["indicator"] == "1.1.S1")
    assert row["answer"] == "yes" and [s["citation"] for s in row["sources"]] == ["Visible law"]
    login(client, staff(institution_b, Role.DATA_OFFICER))
    other = client.get(api_url)
    assert other.status_code == 403 and b"Visible law" not in other.content
    assert trail(institution_a) == before


def test_fix_after_return_records_the_reviewers_comment_as_reason(client, institution_a):
    cycle = open_cycle(institution_a)
    users = cycle.test_users
    area = cycle.areas.get()
    fill_area(area, users["respondent"])
    services.cycle_area_submit(cycle_area=area, by=users["respondent"])
    services.cycle_area_return(cycle_area=area, by=users["reviewer"], comments={"1.1.S2": "Only a policy: partly"})
    value = cycle.values.get(indicator__code="1.1.S2")
    login(client, users["respondent"])
    page = client.get(url("indicators_area", cycle, area_code="1")).content.decode()
    assert "Reason for this change" in page
    client.post(
        url("indicators_value", cycle, indicator_code="1.1.S2"),
        {f"v{value.pk}-answer": "partly", f"v{value.pk}-narrative": "Documented"},
    )
    entry = ValueHistory.objects.for_institution(institution_a).filter(value=value, field="answer").first()
    assert entry.new == "partly" and entry.reason == "In response to the reviewer: Only a policy: partly"
    history = client.get(
        reverse("indicators_value_history", kwargs={"institution_slug": "inst-a", "value_id": value.pk})
    )
    assert "In response to the reviewer" in history.content.decode()


def test_reviewer_sees_changes_since_approval(client, institution_a):
    cycle = open_cycle(institution_a)
    users = cycle.test_users
    area = cycle.areas.get()
    fill_area(area, users["respondent"])
    services.cycle_area_submit(cycle_area=area, by=users["respondent"])
    services.cycle_area_approve(cycle_area=area, by=users["reviewer"])
    services.cycle_area_reopen(cycle_area=area, by=users["reviewer"], reason="New figures")
    value = cycle.values.get(indicator__code="1.1.O1")
    services.value_save(value=value, by=users["respondent"], data={"answer": "2"}, reason="New figures")
    services.cycle_area_submit(cycle_area=area, by=users["respondent"])
    login(client, users["reviewer"])
    body = client.get(url("indicators_area_review", cycle, area_code="1")).content.decode()
    assert body.count("changed: answer") == 1
    assert "unchanged" in body


def test_head_opens_a_cycle_in_the_browser_form(client, institution_a, regional_admin):

    rnd = services.round_open(
        year=2026,
        title="Round 2026",
        version=ensure_framework(),
        due_date=datetime.date(2027, 3, 31),
        by=regional_admin,
    )
    head = staff(institution_a, Role.INSTITUTION_HEAD)
    officer = staff(institution_a, Role.DATA_OFFICER)
    reviewer = staff(institution_a, Role.REVIEWER)
    login(client, head)
    new = reverse("indicators_cycle_create", kwargs={"institution_slug": "inst-a"})
    assert "Respondents for area 5" in client.get(new).content.decode()
    data = {
        "title": "Assessment 2026",
        "monitoring_round": rnd.pk,
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "due_date": "2027-03-01",
        "areas": ["2", "5"],
        "reviewer": reviewer.pk,
        "respondents_2": [officer.pk],
        "respondents_5": [officer.pk, reviewer.pk],
    }
    response = client.post(new, data)
    assert response.status_code == 200 and "cannot also be a respondent" in response.content.decode()
    data["respondents_5"] = [officer.pk]
    response = client.post(new, data)
    assert response.status_code == 302
    cycle = Cycle.objects.for_institution(institution_a).get()
    assert cycle.round == rnd and [ca.area.code for ca in cycle.areas.all()] == ["2", "5"]
    assert list(cycle.areas.get(area__code="5").respondents.all()) == [officer]


def test_regional_admin_edits_a_draft_indicator_only(client, regional_admin):
    v1 = ensure_framework()
    login(client, regional_admin)
    published_url = reverse("indicators_indicator_edit", kwargs={"version_id": v1.pk, "indicator_code": "1.1.S1"})
    assert "read only" in client.get(published_url).content.decode()
    client.post(published_url, {"title": "Changed"})
    assert v1.indicators.get(code="1.1.S1").title != "Changed"
    draft = services.framework_version_create_draft(based_on=v1, by=regional_admin)
    draft_url = reverse("indicators_indicator_edit", kwargs={"version_id": draft.pk, "indicator_code": "1.1.S1"})

    ind = draft.indicators.get(code="1.1.S1")
    data = {k: v for k, v in model_to_dict(ind, fields=IndicatorForm.Meta.fields).items() if v is not None}

    for key in ("rating_rule", "categories", "disaggregation"):
        data[key] = json.dumps(data[key])
    data["title"] = "Core treaties ratified (revised)"
    data["rating_rule"] = '{"kind": "map", "map": {"yes": "enabling", "partly": "restrictive", "no": "restrictive"}}'
    data["is_retired"] = ""
    response = client.post(draft_url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    ind.refresh_from_db()
    assert ind.title == "Core treaties ratified (revised)" and ind.rating_rule["map"]["partly"] == "restrictive"
    data["rating_rule"] = '{"kind": "map", "map": {"yes": "great"}}'
    response = client.post(draft_url, data)
    assert response.status_code == 200 and "Unknown status" in response.content.decode()


def test_regional_admin_adds_and_retires_indicators_in_a_draft(client, regional_admin, institution_a):
    v1 = ensure_framework()
    draft = services.framework_version_create_draft(based_on=v1, by=regional_admin)
    login(client, regional_admin)
    add_url = reverse("indicators_indicator_add", kwargs={"version_id": draft.pk})
    attribute = draft.attributes.get(code="3.2")
    response = client.post(
        add_url,
        {
            "code": "3.2.P3",
            "attribute": attribute.pk,
            "title": "Monitoring of assemblies by the NHRI",
            "type": "process",
            "value_type": "ypn",
            "definition": "Whether the NHRI monitors major assemblies.",
            "guidance": "Yes if monitors attended most large assemblies.",
            "rating_rule": "",
            "categories": "",
            "disaggregation": "",
            "outlier_threshold": "0.5",
            "periodicity": "Annual",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert draft.indicators.filter(code="3.2.P3", attribute=attribute).exists()
    assert client.post(add_url, {"code": "3.2.P3"}).status_code == 200  # duplicate or incomplete: refused
    services.indicator_update(
        indicator=draft.indicators.get(code="1.1.S4"), by=regional_admin, data={"is_retired": True}
    )
    services.framework_version_publish(version=draft, by=regional_admin)
    page = client.get("/framework/").content.decode()
    assert 'id="3.2.P3"' in page and 'id="1.1.S4"' not in page
    cycle = open_cycle(institution_a, areas=("1", "3"))
    codes = set(cycle.values.values_list("indicator__code", flat=True))
    assert "3.2.P3" in codes and "1.1.S4" not in codes
    # a published version no longer accepts new indicators
    assert client.get(add_url).status_code == 302


def test_breakdown_is_saved_and_checked_against_the_total(client, institution_a):
    cycle = open_cycle(institution_a)
    value = cycle.values.get(indicator__code="1.1.O1")
    login(client, cycle.test_users["respondent"])
    p = f"v{value.pk}-"
    response = client.post(
        url("indicators_value", cycle, indicator_code="1.1.O1"),
        {
            p + "answer": "5",
            p + "dis__sex__women": "4",
            p + "dis__sex__men": "3",
            p + "dis__defender_group__lawyer": "2",
        },
        HTTP_HX_REQUEST="true",
    )
    assert "adds up to more than the total" in response.content.decode()
    value.refresh_from_db()
    assert value.disaggregation == {"sex": {"women": "4", "men": "3"}, "defender_group": {"lawyer": "2"}}
    page = client.get(url("indicators_area", cycle, area_code="1")).content.decode()
    assert "Breakdown by group of defenders" in page


def test_regional_admin_opens_a_round(client, regional_admin):

    version = ensure_framework()
    login(client, regional_admin)
    response = client.post(
        "/regional/rounds/", {"year": 2026, "title": "APF round 2026", "version": version.pk, "due_date": "2027-03-31"}
    )
    assert response.status_code == 302
    assert MonitoringRound.objects.get().title == "APF round 2026"
    assert "APF round 2026" in client.get("/regional/rounds/").content.decode()


def test_regional_page_filters_by_subregion_and_never_shows_unpublished(
    client, institution_a, institution_b, regional_admin
):
    institution_b.subregion = "pacific"
    institution_b.save()
    publish(open_cycle(institution_a, title="Published A"))
    open_cycle(institution_b, title="Draft B")
    login(client, regional_admin)
    body = client.get("/regional/indicators/?subregion=pacific").content.decode()
    assert f">{institution_b.short_name}<" in body and f">{institution_a.short_name}<" not in body
    assert "Draft B" not in body
    body = client.get("/regional/indicators/").content.decode()
    assert "Published A" in body and "Draft B" not in body


def test_head_changes_assignments(client, institution_a):
    cycle = open_cycle(institution_a, areas=("1", "2"))
    users = cycle.test_users
    second = staff(institution_a, Role.DATA_OFFICER, email="second.officer@test.example")
    login(client, users["head"])
    assign = url("indicators_cycle_assign", cycle)
    response = client.post(
        assign,
        {
            "reviewer": users["reviewer"].pk,
            "respondents_1": [users["respondent"].pk],
            "respondents_2": [second.pk, users["respondent"].pk],
        },
    )
    assert response.status_code == 302
    assert set(cycle.areas.get(area__code="2").respondents.all()) == {second, users["respondent"]}
    login(client, users["respondent"])
    before = trail(institution_a)
    assert client.get(assign).status_code == 403
    refused = client.post(assign, {"reviewer": users["respondent"].pk, "respondents_1": [], "respondents_2": []})
    assert refused.status_code == 403
    assert trail(institution_a) == before
    cycle.refresh_from_db()
    assert cycle.reviewer == users["reviewer"]


def test_reopen_page_needs_a_reason_and_conclusions_are_saved(client, institution_a):
    cycle = open_cycle(institution_a)
    users = cycle.test_users
    area = cycle.areas.get()
    approve_area(area, respondent=users["respondent"], reviewer=users["reviewer"])
    login(client, users["reviewer"])
    reopen = url("indicators_area_reopen", cycle, area_code="1")
    assert client.post(reopen, {"reason": ""}).status_code == 200
    area.refresh_from_db()
    assert area.status == CycleArea.Status.APPROVED
    assert client.post(reopen, {"reason": "A court decision changed 1.1.S4"}).status_code == 302
    area.refresh_from_db()
    assert area.status == CycleArea.Status.DRAFT
    assert "A court decision changed 1.1.S4" in client.get(url("indicators_cycle", cycle)).content.decode()
    conclusions = url("indicators_area_conclusions", cycle, area_code="1")
    client.post(conclusions, {"findings": "Defenders face prosecution.", "recommendations": "Amend the law."})
    area.refresh_from_db()
    assert area.findings == "Defenders face prosecution."
    login(client, staff(institution_a, Role.DATA_OFFICER, email="bystander@test.example"))
    before = trail(institution_a)
    assert client.post(conclusions, {"findings": "x", "recommendations": ""}).status_code == 403
    area.refresh_from_db()
    assert area.findings == "Defenders face prosecution." and area.recommendations == "Amend the law."
    assert trail(institution_a) == before


def test_framework_texts_are_translatable_data(client):
    ensure_framework()
    client.cookies["django_language"] = "id"
    body = client.get("/framework/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Kebebasan berekspresi dan berpendapat" in body
    client.cookies.pop("django_language")
    assert "Kebebasan berekspresi" not in client.get("/framework/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_regional_admin_edits_area_texts_only_in_a_draft(client, regional_admin):
    v1 = ensure_framework()
    login(client, regional_admin)
    data = {
        "title": "Civic space",
        "description": "",
        "declaration_articles": "5",
        "attr-3.1-title": "Association",
        "attr-3.1-description": "",
        "attr-3.2-title": "Assembly",
        "attr-3.2-description": "",
    }
    client.post(reverse("indicators_area_edit", kwargs={"version_id": v1.pk, "area_code": "3"}), data)
    assert v1.areas.get(code="3").title != "Civic space"
    draft = services.framework_version_create_draft(based_on=v1, by=regional_admin)
    response = client.post(reverse("indicators_area_edit", kwargs={"version_id": draft.pk, "area_code": "3"}), data)
    assert response.status_code == 302
    assert draft.areas.get(code="3").title == "Civic space"
    assert draft.attributes.get(code="3.2").title == "Assembly"


def test_closed_round_accepts_no_new_cycle(client, institution_a, regional_admin):
    rnd = services.round_open(
        year=2026, title="Round", version=ensure_framework(), due_date=datetime.date(2027, 1, 1), by=regional_admin
    )
    login(client, regional_admin)
    assert client.post(reverse("indicators_round_toggle", kwargs={"round_id": rnd.pk})).status_code == 302
    rnd.refresh_from_db()
    assert not rnd.is_open
    with pytest.raises(ValidationError):
        open_cycle(institution_a, monitoring_round=rnd)


def test_an_explained_strong_change_is_a_resolved_note_on_the_entry_and_review_pages(client, institution_a):
    previous = open_cycle(institution_a, title="Baseline 2024", period=(2024, 2024))
    publish(previous)  # 1.1.O1 was 3
    users = previous.test_users
    cycle = open_cycle(
        institution_a,
        respondent=users["respondent"],
        reviewer=users["reviewer"],
        head=users["head"],
        period=(2025, 2025),
    )
    area = cycle.areas.get()
    fill_area(area, users["respondent"])
    value = cycle.values.get(indicator__code="1.1.O1")
    login(client, users["respondent"])
    p = f"v{value.pk}-"
    response = client.post(
        url("indicators_value", cycle, indicator_code="1.1.O1"), {p + "answer": "30"}, HTTP_HX_REQUEST="true"
    )
    assert "differs strongly from the previous cycle (3): explain why" in response.content.decode()
    response = client.post(
        url("indicators_value", cycle, indicator_code="1.1.O1"),
        {p + "answer": "30", p + "justification": "A new reporting channel opened"},
        HTTP_HX_REQUEST="true",
    )
    note = 'class="issue issue-resolved">Differs strongly from the previous cycle (3), explained: A new reporting'
    assert note in response.content.decode() and "explain why" not in response.content.decode()
    entry = client.get(url("indicators_area", cycle, area_code="1")).content.decode()
    assert note in entry and "explain why" not in entry
    services.cycle_area_submit(cycle_area=area, by=users["respondent"])
    login(client, users["reviewer"])
    review = client.get(url("indicators_area_review", cycle, area_code="1")).content.decode()
    assert note in review and "explain why" not in review


def _table_of(body, code):
    """The 'what changed' table of one indicator on the review page ('' if it has none)."""
    article = body.split(f'id="ind-{code}"', 1)[1].split("</article>", 1)[0]
    return (
        article.split('<table class="since-return">', 1)[1].split("</table>", 1)[0] if "since-return" in article else ""
    )


def test_review_page_shows_what_changed_since_the_return_side_by_side(
    client, institution_a, django_assert_max_num_queries
):
    cycle = open_cycle(institution_a)
    users = cycle.test_users
    respondent, reviewer = users["respondent"], users["reviewer"]
    area = cycle.areas.get()
    fill_area(area, respondent)
    services.cycle_area_submit(cycle_area=area, by=respondent)
    services.cycle_area_return(cycle_area=area, by=reviewer, comments={"1.1.S2": "Only a policy: partly"})
    review_url = url("indicators_area_review", cycle, area_code="1")
    login(client, reviewer)
    with django_assert_max_num_queries(60) as unchanged:
        body = client.get(review_url).content.decode()
    assert "Nothing has changed since then" in body and 'class="since-return"' not in body

    s2 = cycle.values.get(indicator__code="1.1.S2")
    services.value_save(value=s2, by=respondent, data={"answer": "partly"}, reason="Only a policy exists")
    o1 = cycle.values.get(indicator__code="1.1.O1")
    services.value_save(value=o1, by=respondent, data={"narrative": "Police and NGO figures"})
    services.source_add(value=o1, by=respondent, kind="statistics", citation="NGO monitoring 2025", confidential=True)
    services.source_remove(source=o1.sources.get(citation="Annual report, 1.1.O1"), by=respondent)
    s1 = cycle.values.get(indicator__code="1.1.S1")  # changed and changed back: nothing to compare
    services.value_save(value=s1, by=respondent, data={"answer": "no"})
    services.value_save(value=s1, by=respondent, data={"answer": "yes"})
    services.cycle_area_submit(cycle_area=area, by=respondent)

    with django_assert_max_num_queries(len(unchanged.captured_queries)) as changed:
        body = client.get(review_url).content.decode()
    print(
        "review page queries:", len(unchanged.captured_queries), "unchanged /", len(changed.captured_queries), "changed"
    )
    assert "2 indicators changed" in body
    assert (
        '<a href="#ind-1.1.S2">1.1.S2</a>: Answer' in body
        and '<a href="#ind-1.1.O1">1.1.O1</a>: Narrative, Sources' in body
    )
    s2_table = _table_of(body, "1.1.S2")
    assert '<th scope="col">When returned</th><th scope="col">Now</th>' in s2_table
    assert '<th scope="row">Answer</th>\n    \n    <td>Yes</td>\n    <td>Partly</td>' in s2_table
    assert "Reason given: Only a policy exists" in body
    o1_table = _table_of(body, "1.1.O1")
    assert "<td>Documented</td>\n    <td>Police and NGO figures</td>" in o1_table
    assert '<del>Annual report, 1.1.O1</del> <span class="badge removed">removed</span>' in o1_table
    assert '<ins>NGO monitoring 2025</ins> <span class="badge added">added</span>' in o1_table
    assert _table_of(body, "1.1.S1") == "" and _table_of(body, "1.1.S3") == ""

    # Once approved, the comparison with the approval takes over.
    services.cycle_area_approve(cycle_area=area, by=reviewer)
    assert 'class="since-return"' not in client.get(review_url).content.decode()


def test_an_autosave_that_carries_the_focused_buttons_name_stays_an_autosave(client, institution_a):
    """htmx adds the focused submit button's name to an autosave (a keyboard user who ticks a box and tabs onto
    "Save and add source"): the request targets the status line, so it saves the answer and adds no source."""
    cycle = open_cycle(institution_a)
    value = cycle.values.get(indicator__code="1.1.S2")
    login(client, cycle.test_users["respondent"])
    p = f"v{value.pk}-"
    response = client.post(
        url("indicators_value", cycle, indicator_code="1.1.S2"),
        {p + "answer": "partly", p + "src_citation": "Half-typed source", "action": "add_source"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET=f"status-{value.pk}",
    )
    body = response.content.decode()
    assert "<article" not in body and "Saved " in body
    value.refresh_from_db()
    assert value.answer == "partly" and not value.sources.exists()
    # The same button clicked targets its article: then the source is added.
    client.post(
        url("indicators_value", cycle, indicator_code="1.1.S2"),
        {p + "answer": "partly", p + "src_citation": "Decree 5/2019", "action": "add_source"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="ind-1.1.S2",
    )
    assert [s.citation for s in value.sources.all()] == ["Decree 5/2019"]
