import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from r2dr import services
from r2dr.models import Institution, Invitation, Membership
from r2dr.roles import Role
from tests.factories import UserFactory
from tests.refusals import refused_request

pytestmark = pytest.mark.django_db


def test_members_page_is_for_institution_admins_only(member_client, institution_a):
    client = member_client(institution_a, Role.DATA_OFFICER)
    refused_request(client.get, f"/{institution_a.slug}/members/", status=403)
    refused_request(
        client.post, f"/{institution_a.slug}/members/", {"email": "x@example.org", "role": "reviewer"}, status=403
    )


def test_admin_invites_a_colleague_who_accepts_and_gets_the_role(member_client, institution_a, client, settings):
    admin_client = member_client(institution_a, Role.INSTITUTION_ADMIN)
    response = admin_client.post(f"/{institution_a.slug}/members/", {"email": "not-an-email", "role": "reviewer"})
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert 'value="not-an-email"' in response.content.decode()  # nothing typed is lost

    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = admin_client.post(
            f"/{institution_a.slug}/members/", {"email": "New.Reviewer@Example.org", "role": "reviewer"}
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/invitations/\S+", mail.outbox[0].body).group(0)
    path = link.split("testserver", 1)[1]
    admin_client.logout()

    # Opening the link trades its token for this browser's session; the form lives at a token-free address.
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == "/invitations/accept/"
    accept = response["Location"]
    response = client.post(accept, {"name": "Rina", "password1": "short", "password2": "short"})
    assert response.status_code == 200
    assert not Membership.objects.filter(user__email="new.reviewer@example.org").exists()

    response = client.post(
        accept, {"name": "Rina", "password1": "a-long enough passphrase", "password2": "a-long enough passphrase"}
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="new.reviewer@example.org")
    assert membership.institution == institution_a and membership.role == Role.REVIEWER
    # The link works once.
    refused_request(client.get, path, status=404)
    refused_request(
        client.post,
        path,
        {"name": "Again", "password1": "a-long enough passphrase", "password2": "a-long enough passphrase"},
        status=404,
    )
    refused_request(
        client.post,
        accept,
        {"name": "Again", "password1": "a-long enough passphrase", "password2": "a-long enough passphrase"},
        status=404,
    )


def test_invitation_for_existing_user_requires_signing_in_as_that_user(institution_a, client, make_member):
    existing = UserFactory(username="known@example.org")
    invitation, token = services.invitation_create(
        email="known@example.org", role=Role.REVIEWER, institution=institution_a, by=None
    )
    response = client.get(f"/invitations/{token}/", follow=True)
    assert response.redirect_chain[-1][1] == 302 and "/accounts/login/" in response.redirect_chain[-1][0]
    assert "next=/invitations/accept/" in response.redirect_chain[-1][0], "the token never reaches the login URL"
    intruder = make_member(institution_a, Role.DATA_OFFICER, email="intruder@example.org")
    client.force_login(intruder)
    client.post("/invitations/accept/")
    assert not Membership.objects.filter(user=intruder, role=Role.REVIEWER).exists()
    # The intruder opened the link first (as a reader of the access log would): it is dead for everyone now,
    # and the invitee gets a new one.
    invitee = Client()
    refused_request(invitee.get, f"/invitations/{token}/", status=404)
    _again, token = services.invitation_create(
        email="known@example.org", role=Role.REVIEWER, institution=institution_a, by=None
    )
    assert invitee.get(f"/invitations/{token}/")["Location"] == "/invitations/accept/"
    invitee.force_login(existing)
    invitee.post("/invitations/accept/")
    assert Membership.objects.filter(user=existing, institution=institution_a, role=Role.REVIEWER).exists()


def test_expired_and_revoked_invitations_are_refused(institution_a, client):
    invitation, token = services.invitation_create(
        email="late@example.org", role=Role.REVIEWER, institution=institution_a, by=None
    )
    services.invitation_revoke(invitation=invitation, by=None)
    signup = {"name": "Late", "password1": "a-long enough passphrase", "password2": "a-long enough passphrase"}
    for path in (f"/invitations/{token}/", "/invitations/not-a-real-token/"):
        refused_request(client.get, path, status=404)
        refused_request(client.post, path, signup, status=404)


def test_regional_admin_onboards_an_institution_and_invites_its_admin(client, regional_admin, settings):
    client.force_login(regional_admin)
    data = {
        "name": "Cook Islands Human Rights Office",
        "short_name": "CIHRO",
        "slug": "admin",
        "country": "Cook Islands",
        "country_code": "ck",
        "subregion": "pacific",
        "languages": ["en"],
        "time_zone": "Pacific/Rarotonga",
        "contact_email": "",
        "website": "",
        "admin_email": "head@cihro.example",
    }
    response = client.post(reverse("institution_onboard"), data)
    assert response.status_code == 200, "a reserved slug must be refused"
    assert "reserved" in response.content.decode()
    data["slug"] = "cihro"
    data["time_zone"] = "Mars/Olympus"
    assert client.post(reverse("institution_onboard"), data).status_code == 200
    data["time_zone"] = "Pacific/Rarotonga"
    response = client.post(reverse("institution_onboard"), data)
    assert response.status_code == 302
    institution = Institution.objects.get(slug="cihro")
    assert institution.country_code == "CK"
    invitation = Invitation.objects.get(institution=institution)
    assert invitation.role == Role.INSTITUTION_ADMIN and invitation.email == "head@cihro.example"


ONBOARDING = {
    "name": "Refused Office",
    "short_name": "RO",
    "slug": "refused",
    "country": "Cook Islands",
    "country_code": "ck",
    "subregion": "pacific",
    "languages": ["en"],
    "time_zone": "Pacific/Rarotonga",
    "admin_email": "head@refused.example",
}


def test_institution_roles_cannot_onboard(member_client, institution_a):
    client = member_client(institution_a, Role.INSTITUTION_ADMIN)
    refused_request(client.get, reverse("institution_onboard"), status=403)
    refused_request(client.post, reverse("institution_onboard"), ONBOARDING, status=403)


def test_facilitator_sees_regional_overview_but_cannot_onboard(client, make_member):
    facilitator = make_member(None, Role.FACILITATOR)
    client.force_login(facilitator)
    assert client.get(reverse("regional_home")).status_code == 200
    refused_request(client.get, reverse("institution_onboard"), status=403)
    refused_request(client.post, reverse("institution_onboard"), ONBOARDING, status=403)


def test_last_admin_cannot_be_removed(member_client, institution_a):
    client = member_client(institution_a, Role.INSTITUTION_ADMIN)
    membership = Membership.objects.get(user=client.user, role=Role.INSTITUTION_ADMIN)
    response = client.post(f"/{institution_a.slug}/members/{membership.pk}/remove/", follow=True)
    assert "at least one admin" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_one_user_can_hold_roles_in_several_institutions(client, institution_a, institution_b):
    user = UserFactory(username="both@example.org")
    Membership.objects.create(user=user, institution=institution_a, role=Role.DATA_OFFICER)
    Membership.objects.create(user=user, institution=institution_b, role=Role.REVIEWER)
    client.force_login(user)
    assert client.get(f"/{institution_a.slug}/").status_code == 200
    assert client.get(f"/{institution_b.slug}/").status_code == 200
    body = client.get("/").content.decode()
    assert "Institution A" in body and "Institution B" in body


def test_regional_role_cannot_have_an_institution(institution_a):
    from django.db import IntegrityError, transaction

    user = UserFactory(username="bad@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, institution=institution_a, role=Role.REGIONAL_ADMIN)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, institution=None, role=Role.CASE_OFFICER)


def test_staff_who_can_see_cases_must_enrol_mfa(member_client, institution_a):
    client = member_client(institution_a, Role.CASE_OFFICER, mfa=False)
    response = client.get(f"/{institution_a.slug}/")
    assert response.status_code == 302 and "/accounts/2fa/totp/activate/" in response["Location"]
    # Data officers are not forced (MFA is available to them in their account page).
    other = member_client(institution_a, Role.DATA_OFFICER, email="do@example.org", mfa=False)
    assert other.get(f"/{institution_a.slug}/").status_code == 200


def test_navigation_shows_only_what_roles_allow(member_client, institution_a):
    body = member_client(institution_a, Role.DATA_OFFICER).get(f"/{institution_a.slug}/").content.decode()
    assert f"/{institution_a.slug}/members/" not in body
    body = (
        member_client(institution_a, Role.INSTITUTION_ADMIN, email="ad@example.org")
        .get(f"/{institution_a.slug}/")
        .content.decode()
    )
    assert f"/{institution_a.slug}/members/" in body


def test_admin_site_is_for_superusers_with_mfa(client):
    from tests.factories import enrol_totp

    boss = UserFactory(username="root@example.org")
    boss.is_superuser = boss.is_staff = True
    boss.save()
    client.force_login(boss)
    response = client.get("/admin/")
    assert response.status_code == 302 and "totp/activate" in response["Location"]
    enrol_totp(boss)
    assert client.get("/admin/").status_code == 200
    staff = UserFactory(username="staff@example.org")
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    refused_request(client.get, "/admin/", status=404)


def test_institution_admin_edits_settings_and_bad_input_keeps_what_was_typed(member_client, institution_a):
    client = member_client(institution_a, Role.INSTITUTION_ADMIN)
    url = f"/{institution_a.slug}/settings/"
    data = {
        "short_name": "IA",
        "languages": ["th", "en"],
        "time_zone": "Nowhere/Land",
        "contact_email": "focal@a.example",
        "website": "",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Unknown time zone" in response.content.decode()
    assert 'value="focal@a.example"' in response.content.decode()
    data["time_zone"] = "Asia/Bangkok"
    assert client.post(url, data).status_code == 302
    institution_a.refresh_from_db()
    assert institution_a.languages == ["th", "en"] and institution_a.contact_email == "focal@a.example"
    assert institution_a.name == "Institution A"
