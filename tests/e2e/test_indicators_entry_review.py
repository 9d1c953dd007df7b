"""What a data officer and a reviewer notice while entering and reviewing an area: an answer that is not valid for
its type is refused beside the field and never ticked; an explained strong change becomes a resolved note; after a
return, the reviewer sees each changed answer as it was and as it is now, side by side."""

import pathlib
import re

import pytest
from playwright.sync_api import expect

from indicators import services
from indicators.models import CycleArea
from r2dr.roles import Role
from tests.e2e.conftest import shot
from tests.factories import InstitutionFactory
from tests.indicators.helpers import fill_area, open_cycle, publish, staff

pytestmark = pytest.mark.django_db(transaction=True)

AREA = "4"  # Participation in public affairs: 4.1.P1 is a percentage, 4.2.O1 a count
SCREENS = pathlib.Path("/work/notes/screens")


def _verified(user):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    return user


def _article(page, code):
    return page.locator(f'article[id="ind-{code}"]')


def _screen(page, name):
    shot(page, name)
    if SCREENS.parent.exists():
        SCREENS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


def _people(slug):
    institution = InstitutionFactory(slug=slug, name="Entry Review Commission")
    InstitutionFactory(slug=f"{slug}-other", name="Other Commission")
    users = {
        "respondent": _verified(staff(institution, Role.DATA_OFFICER, email=f"officer@{slug}.example")),
        "reviewer": _verified(staff(institution, Role.REVIEWER, email=f"reviewer@{slug}.example")),
        "head": _verified(staff(institution, Role.INSTITUTION_HEAD, email=f"head@{slug}.example")),
    }
    return institution, users


def test_invalid_answer_outlier_note_and_the_diff_since_return(browser, page, live_server, e2e_login):
    institution, users = _people("e2e-entry")
    publish(open_cycle(institution, areas=(AREA,), title="Baseline 2024", period=(2024, 2024), **users))
    cycle = open_cycle(institution, areas=(AREA,), title="Cycle 2025", period=(2025, 2025), **users)
    area = cycle.areas.get()
    fill_area(area, users["respondent"])  # every answer with a source; the two numbers are entered below
    for code in ("4.1.P1", "4.2.O1"):
        services.value_save(value=cycle.values.get(indicator__code=code), by=users["respondent"], data={"answer": ""})
    area_url = f"{live_server.url}/{institution.slug}/indicators/cycles/{cycle.pk}/areas/{AREA}/"

    # --- "twelve" as a percentage: refused beside the field, not ticked, not counted ----------------
    e2e_login(page, live_server, users["respondent"].email)
    page.goto(area_url)
    expect(page.locator("#area-progress")).to_contain_text("5/7")
    percent = _article(page, "4.1.P1")
    answer = percent.get_by_role("textbox", name=re.compile(r"^Answer"))
    answer.fill("twelve")
    answer.press("Tab")
    error = percent.locator(".field-error").first
    expect(error).to_have_text("Enter a percentage from 0 to 100, e.g. 35 or 35.5.")
    expect(answer).to_have_attribute("aria-describedby", re.compile(r"answer-error"))
    expect(percent.locator("p.save-status")).to_contain_text("Not saved: Answer (%)")
    expect(answer).to_have_value("twelve")  # what was typed stays
    expect(page.locator('nav.toc a[href="#ind-4.1.P1"]')).to_have_class("todo")
    expect(page.locator("#area-progress")).to_contain_text("5/7")
    _screen(page, "entry-invalid-percentage-1280")
    page.reload()
    expect(_article(page, "4.1.P1").get_by_role("textbox", name=re.compile(r"^Answer"))).to_have_value("")
    answer = _article(page, "4.1.P1").get_by_role("textbox", name=re.compile(r"^Answer"))
    answer.fill("35")
    answer.press("Tab")
    _article(page, "4.1.P1").locator("p.save-status").get_by_text(re.compile(r"^Saved \d")).wait_for()
    expect(_article(page, "4.1.P1").locator(".field-error").first).to_have_text("")
    expect(page.locator('nav.toc a[href="#ind-4.1.P1"]')).to_have_class("done")
    expect(page.locator("#area-progress")).to_contain_text("6/7")

    # --- a strong change against 2024 (3 -> 30): a warning until explained, then a resolved note ------
    count = _article(page, "4.2.O1")
    count.get_by_role("textbox", name=re.compile(r"^Answer")).fill("30")
    count.get_by_role("textbox", name=re.compile(r"^Answer")).press("Tab")
    expect(count.locator(".issue-warning")).to_contain_text("differs strongly from the previous cycle (3): explain why")
    count.get_by_label("Why it changed since the previous cycle").fill("A new reporting channel opened in March.")
    count.get_by_label("Why it changed since the previous cycle").press("Tab")
    expect(count.locator(".issue-resolved")).to_contain_text("explained: A new reporting channel opened in March.")
    expect(count).not_to_contain_text("explain why")
    # The Tab landed on the source's "remove" button: the autosave must not have gone there.
    expect(count.get_by_role("button", name="Remove source Annual report, 4.2.O1")).to_be_focused()
    assert cycle.values.get(indicator__code="4.2.O1").sources.count() == 1
    page.reload()
    expect(_article(page, "4.2.O1").locator(".issue-resolved")).to_contain_text("A new reporting channel")
    expect(_article(page, "4.2.O1")).not_to_contain_text("explain why")
    page.get_by_role("button", name="Submit area for review").click()
    page.get_by_text("submitted for review").first.wait_for()

    # --- the reviewer sees the resolved note and returns the percentage ------------------------------
    review = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    review.set_default_timeout(15_000)
    e2e_login(review, live_server, users["reviewer"].email)
    review_url = f"{live_server.url}/{institution.slug}/indicators/cycles/{cycle.pk}/areas/{AREA}/review/"
    review.goto(review_url)
    expect(_article(review, "4.2.O1").locator(".issue-resolved")).to_contain_text("A new reporting channel")
    expect(_article(review, "4.2.O1")).not_to_contain_text("explain why")
    review.get_by_label("Comment on 4.1.P1 (returns it for changes)").fill("The register says 40 %: check?")
    review.get_by_role("button", name="Return for changes").click()
    review.get_by_text("returned to the respondents").wait_for()

    # --- the officer corrects the figure, adds a source and submits again ---------------------------
    page.goto(area_url)
    percent = _article(page, "4.1.P1")
    percent.get_by_role("textbox", name=re.compile(r"^Answer")).fill("40")
    percent.get_by_label("Reason for this change").fill("Counted again from the register")
    percent.get_by_text("Add a source").click()
    percent.get_by_label("Source reference").fill("Register of consultations 2025")
    percent.get_by_role("button", name="Save and add source").click()
    _article(page, "4.1.P1").get_by_text("Register of consultations 2025").wait_for()
    page.get_by_role("button", name="Submit area for review").click()
    page.get_by_text("submitted for review").first.wait_for()
    assert CycleArea.objects.for_institution(institution).get(pk=area.pk).status == CycleArea.Status.SUBMITTED

    # --- the reviewer sees what changed, side by side, at 1280 and 360 px -----------------------------
    review.goto(review_url)
    summary = review.get_by_role("region", name=re.compile(r"^Since the area was returned on"))
    expect(summary).to_contain_text("1 indicator changed")
    summary.get_by_role("link", name="4.1.P1").click()
    table = _article(review, "4.1.P1").get_by_role("table", name=re.compile(r"What changed in 4.1.P1"))
    expect(table.get_by_role("columnheader")).to_have_text(["Field", "When returned", "Now"])
    answer_row = table.get_by_role("row", name=re.compile(r"^Answer"))
    expect(answer_row.get_by_role("cell")).to_have_text(["35 %", "40 %"])
    sources_row = table.get_by_role("row", name=re.compile(r"^Sources"))
    expect(sources_row.get_by_role("cell").nth(1)).to_contain_text("Register of consultations 2025 added")
    expect(_article(review, "4.1.P1")).to_contain_text("Reason given: Counted again from the register")
    expect(_article(review, "4.1.P1")).to_contain_text(
        "Your comment when you returned it: The register says 40 %: check?"
    )
    assert _article(review, "4.2.O1").locator("table").count() == 0  # unchanged since the return
    _screen(review, "entry-review-diff-1280")
    review.set_viewport_size({"width": 360, "height": 800})
    _article(review, "4.1.P1").scroll_into_view_if_needed()
    assert review.evaluate("document.documentElement.scrollWidth") <= 360
    box = table.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
    _screen(review, "entry-review-diff-360")
    review.context.close()


def test_an_invalid_answer_without_javascript_keeps_what_was_typed(nojs_page, live_server, e2e_login):
    page = nojs_page
    institution, users = _people("e2e-entry-nojs")
    cycle = open_cycle(institution, areas=(AREA,), **users)
    e2e_login(page, live_server, users["respondent"].email)
    page.goto(f"{live_server.url}/{institution.slug}/indicators/cycles/{cycle.pk}/areas/{AREA}/")
    article = _article(page, "4.1.P1")
    article.get_by_role("textbox", name=re.compile(r"^Answer")).fill("120")
    article.get_by_label("Narrative").fill("Ministry register")
    article.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("4.1.P1: Answer (%) was not saved: The value must be between 0 and 100.").wait_for()
    article = _article(page, "4.1.P1")
    expect(article.get_by_role("textbox", name=re.compile(r"^Answer"))).to_have_value("120")
    expect(article.get_by_role("textbox", name=re.compile(r"^Answer"))).to_have_attribute("aria-invalid", "true")
    expect(article.locator(".field-error").first).to_have_text("The value must be between 0 and 100.")
    value = cycle.values.get(indicator__code="4.1.P1")
    assert value.answer == "" and value.narrative == "Ministry register"
    page.set_viewport_size({"width": 360, "height": 800})
    article.scroll_into_view_if_needed()
    _screen(page, "entry-invalid-nojs-360")
