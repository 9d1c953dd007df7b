"""Session records and technical assistance in the browser without JavaScript: the facilitator records a held
workshop (attendance, a shared and a private note, a follow-up action); the institution's admin reads the shared
note and the action, never the private note; a data officer asks for technical assistance and the facilitator
accepts it. Screenshots at 360 and 1280 px go to test-artifacts/; no page scrolls sideways."""

import datetime

import pytest
from django.utils import timezone

from r2dr.roles import Role
from tests.e2e.conftest import PASSWORD, TOTP_SECRET, staff_user
from tests.e2e.test_workshop_journey import shots
from tests.factories import InstitutionFactory
from tests.workshops.helpers import availability, book, soon
from training.workshops.models import AssistanceRequest, Booking

pytestmark = pytest.mark.django_db(transaction=True)


def test_records_and_assistance_without_javascript(nojs_page, live_server, e2e_login, browser):
    page, base = nojs_page, live_server.url
    institution = InstitutionFactory(slug="e2e-ws-records", name="E2E Records Commission", short_name="ERC")
    admin = staff_user("rec-admin@e2e.example", institution, Role.INSTITUTION_ADMIN)
    officer = staff_user("rec-data@e2e.example", institution, Role.DATA_OFFICER, mfa=False)
    fran = staff_user("rec-fran@apf.example", None, Role.FACILITATOR)
    start = soon(days=3)
    booking = book(institution, admin, availability(by=fran, slots=[start]), start)
    past = start - datetime.timedelta(days=5)
    Booking.objects.for_institution(institution).filter(pk=booking.pk).update(
        starts_at=past, ends_at=past + datetime.timedelta(hours=1)
    )

    e2e_login(page, live_server, fran.email, PASSWORD, TOTP_SECRET)
    page.goto(f"{base}/training/workshops/bookings/{booking.pk}/")
    page.get_by_role("link", name="Session record").click()
    page.wait_for_load_state()
    page.get_by_label("rec-admin@e2e.example").check()
    page.get_by_label("Other people who attended").fill("2")
    page.get_by_label("Note shared with the institution").fill("We reviewed the indicator sheet together")
    page.get_by_label("Private note (only facilitators read it)").fill("Director seemed reluctant")
    page.get_by_role("button", name="Save the record").click()
    page.wait_for_load_state()
    page.locator("#id_what").fill("Send the draft report")
    page.locator("#id_who").fill("Data team")
    page.locator("#id_due_on").fill((timezone.now().date() + datetime.timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Add the action").click()
    page.wait_for_load_state()
    assert "Send the draft report" in page.content()
    shots(page, "workshops-session-record", True)

    # The institution's side in a second context; the facilitator stays signed in (a TOTP code serves once).
    context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    member_page = context.new_page()
    e2e_login(member_page, live_server, admin.email, PASSWORD, TOTP_SECRET)
    member_page.goto(f"{base}/{institution.slug}/training/workshops/{booking.pk}/")
    content = member_page.content()
    assert "We reviewed the indicator sheet together" in content and "Send the draft report" in content
    assert "Director seemed reluctant" not in content
    shots(member_page, "workshops-session-institution", True)

    member_page.context.clear_cookies()
    e2e_login(member_page, live_server, officer.email, PASSWORD)
    member_page.goto(f"{base}/{institution.slug}/training/workshops/requests/")
    member_page.locator("#id_topic").select_option("report_writing")
    member_page.locator("#id_description").fill("Please review our report outline")
    member_page.get_by_role("button", name="Send the request").click()
    member_page.wait_for_load_state()
    shots(member_page, "workshops-assistance-institution", True)
    context.close()
    item = AssistanceRequest.objects.for_institution(institution).get()

    page.goto(f"{base}/training/workshops/requests/")
    shots(page, "workshops-assistance-list", True)
    page.locator(f'a[href$="/training/workshops/requests/{item.pk}/"]').click()
    page.wait_for_load_state()
    page.locator("#id_status").select_option("accepted")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()
    item.refresh_from_db()
    assert item.status == "accepted"
    shots(page, "workshops-assistance-facilitator", True)
