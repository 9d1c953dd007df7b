"""An officer searches from the inbox: by reference while the keys are locked; a word search asks them to unlock,
and once unlocked finds the case by a Thai word inside its narrative and an Indonesian one, at 1280 and 360 px."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import CASE_PASSPHRASE as PASSPHRASE
from tests.e2e.conftest import PASSWORD, shot
from tests.e2e.conftest import TOTP_SECRET as SECRET

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_officer_searches_cases_from_the_inbox(keyed_institution, live_server, page, e2e_login):
    from tests.cases.helpers import CaseFactory

    institution, officer = keyed_institution
    thai = CaseFactory(institution=institution, names="สมชาย", narrative="ตำรวจจับกุมนักปกป้องสิทธิมนุษยชนที่หมู่บ้านริมแม่น้ำ")
    indonesian = CaseFactory(
        institution=institution, names="Siti", narrative="Polisi menangkap aktivis di Desa Sukamaju."
    )
    base = f"{live_server.url}/{institution.slug}"
    e2e_login(page, live_server, officer.email, PASSWORD, SECRET)
    page.goto(f"{base}/cases/")
    search = page.get_by_role("searchbox", name="Search cases")
    shot(page, "cases-inbox-search-1280")

    # Locked: a reference is found, a word is not searched and the officer is offered to unlock.
    search.fill(indonesian.reference.lower())
    with page.expect_navigation():
        page.get_by_role("button", name="Search", exact=True).click()
    results = page.locator(".cases-table")
    expect(results.get_by_role("link", name=indonesian.reference)).to_be_visible()
    expect(results.get_by_role("link", name=thai.reference)).to_have_count(0)
    page.get_by_role("searchbox", name="Search cases").fill("ตำรวจ")
    with page.expect_navigation():
        page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Searching by words needs your case keys unlocked")
    expect(page.get_by_role("searchbox", name="Search cases")).to_have_value("")
    shot(page, "cases-search-locked-1280")
    with page.expect_navigation():
        page.get_by_role("link", name="Unlock case keys").click()
    page.get_by_label("Case passphrase").fill(PASSPHRASE)
    with page.expect_navigation():
        page.get_by_role("button", name="Unlock").click()
    assert page.url.rstrip("/").endswith("/cases/search")

    # Unlocked: the Thai word inside an unspaced sentence finds its case, and only it.
    page.get_by_role("searchbox", name="Search cases").fill("ตำรวจ")
    with page.expect_navigation():
        page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="every word")).to_have_text("1 case has every word.")
    expect(page.locator(".cases-table").get_by_role("link", name=thai.reference)).to_be_visible()
    expect(page.locator(".cases-table").get_by_role("link", name=indonesian.reference)).to_have_count(0)
    shot(page, "cases-search-thai-1280")

    # At 360 px, from the inbox again, two Indonesian words (both must appear).
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(f"{base}/cases/")
    page.get_by_role("searchbox", name="Search cases").fill("Sukamaju menangkap")
    with page.expect_navigation():
        page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator(".cases-table").get_by_role("link", name=indonesian.reference)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "cases-search-360")
    with page.expect_navigation():
        page.locator(".cases-table").get_by_role("link", name=indonesian.reference).click()
    assert f"/cases/{indonesian.pk}/" in page.url
