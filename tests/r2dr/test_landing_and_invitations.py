"""Where signing in lands, who can sign up (nobody), and the invitee's first minutes: set a password once, enrol the
second factor, keep the recovery codes and go on to work (issue 11, "Institution admins and accounts")."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from r2dr import services
from r2dr.roles import Role
from tests.factories import MembershipFactory, UserFactory, enrol_totp, totp_now

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a-long enough passphrase"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _verified(user):
    EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    return user


def _sign_in(client, user, *, next_url=None, secret=None):
    """Password (and TOTP when enrolled) through allauth's forms; returns the last response."""
    url = reverse("account_login") + (f"?next={next_url}" if next_url else "")
    data = {"login": user.email, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    response = client.post(url, data)
    if secret:
        assert response["Location"] == reverse("mfa_authenticate")
        response = client.post(reverse("mfa_authenticate"), {"code": totp_now(secret)})
    assert response.status_code == 302, response.content[:500]
    return response


def test_a_member_of_one_institution_lands_on_its_workspace(institution_a):
    user = _verified(UserFactory(username="one@example.org"))
    MembershipFactory(user=user, institution=institution_a, role=Role.DATA_OFFICER)
    assert _sign_in(Client(), user)["Location"] == f"/{institution_a.slug}/"


def test_a_case_officer_lands_on_the_workspace_after_the_second_factor(institution_a):
    user = _verified(UserFactory(username="officer@example.org"))
    MembershipFactory(user=user, institution=institution_a, role=Role.CASE_OFFICER)
    secret = enrol_totp(user)
    assert _sign_in(Client(), user, secret=secret)["Location"] == f"/{institution_a.slug}/"


def test_a_member_of_several_institutions_chooses_among_them(institution_a, institution_b):
    user = _verified(UserFactory(username="both@example.org"))
    MembershipFactory(user=user, institution=institution_a, role=Role.DATA_OFFICER)
    MembershipFactory(user=user, institution=institution_b, role=Role.REVIEWER)
    client = Client()
    response = _sign_in(client, user)
    assert response["Location"] == reverse("workspace_choose")
    body = client.get(response["Location"]).content.decode()
    assert f'href="/{institution_a.slug}/"' in body and f'href="/{institution_b.slug}/"' in body
    assert "Institution A" in body and "Institution B" in body


def test_a_regional_officer_lands_on_the_regional_overview(make_member):
    user = _verified(make_member(None, Role.FACILITATOR))
    assert _sign_in(Client(), user)["Location"] == reverse("regional_home")


def test_someone_without_a_role_is_told_how_to_get_one(make_member):
    user = _verified(UserFactory(username="nobody@example.org"))
    client = Client()
    response = _sign_in(client, user)
    assert response["Location"] == reverse("workspace_choose")
    body = client.get(response["Location"]).content.decode()
    assert "You have no institution role yet" in body and "can invite you" in body


def test_a_safe_next_is_followed_and_another_site_is_not(institution_a, institution_b):
    user = _verified(UserFactory(username="next@example.org"))
    MembershipFactory(user=user, institution=institution_a, role=Role.DATA_OFFICER)
    MembershipFactory(user=user, institution=institution_b, role=Role.DATA_OFFICER)
    wanted = f"/{institution_b.slug}/"
    assert _sign_in(Client(), user, next_url=wanted)["Location"] == wanted
    landed = _sign_in(Client(), user, next_url="https://evil.example/phish")["Location"]
    assert landed == reverse("workspace_choose")


def test_the_superuser_has_a_link_to_the_site_administration(institution_a):
    root = _verified(UserFactory(username="root@example.org"))
    root.is_superuser = root.is_staff = True
    root.save()
    secret = enrol_totp(root)
    client = Client()
    # With nothing else to do, sign-in lands there.
    assert _sign_in(client, root, secret=secret)["Location"] == reverse("admin:index")
    body = client.get(reverse("my_account")).content.decode()
    assert f'href="{reverse("admin:index")}"' in body and "Site administration" in body
    # Nobody else sees it.
    user = _verified(UserFactory(username="plain@example.org"))
    MembershipFactory(user=user, institution=institution_a, role=Role.INSTITUTION_ADMIN)
    enrol_totp(user)
    client.force_login(user)
    assert f'href="{reverse("admin:index")}"' not in client.get(f"/{institution_a.slug}/").content.decode()


def test_sign_up_is_closed_and_the_login_page_says_how_to_get_an_invitation(client, django_user_model):
    before = django_user_model.objects.count()
    response = client.post(
        reverse("account_signup"),
        {"email": "walk-in@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert django_user_model.objects.count() == before, "self sign-up must create no account"
    assert "Sign-up is closed" in response.content.decode()
    body = client.get(reverse("account_login")).content.decode()
    assert reverse("account_signup") not in body, "the login page must not send people to a closed sign-up"
    assert "Accounts are by invitation only" in body
    assert "ask its r2dr admin to invite you" in body


def _invite(institution, role, email="invitee@example.org"):
    _invitation, token = services.invitation_create(email=email, role=role, institution=institution, by=None)
    client = Client()
    assert client.get(f"/invitations/accept/?token={token}")["Location"] == "/invitations/accept/"
    return client


def test_an_invitee_sets_the_password_once_and_goes_straight_to_work(institution_a):
    client = _invite(institution_a, Role.REVIEWER)
    response = client.post(
        "/invitations/accept/", {"name": "Rina", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == f"/{institution_a.slug}/"
    page = client.get(response["Location"])
    assert page.status_code == 200 and "Institution A" in page.content.decode()


def test_an_invitee_who_needs_a_second_factor_is_not_asked_for_the_password_again(institution_a):
    client = _invite(institution_a, Role.INSTITUTION_ADMIN, email="new.admin@example.org")
    response = client.post(
        "/invitations/accept/", {"name": "Ari", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302 and reverse("mfa_activate_totp") in response["Location"]
    activate = client.get(response["Location"])
    assert activate.status_code == 200, f"asked again at {activate.get('Location')}"
    assert "reauthenticate" not in activate.get("Location", "")
    secret = re.search(rb'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', activate.content) or re.search(
        rb'value="([A-Z2-7]{16,})"[^>]*id="authenticator_secret"', activate.content
    )
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_now(secret.group(1).decode())})
    assert response.status_code == 302 and response["Location"] == reverse("mfa_view_recovery_codes")

    codes = client.get(response["Location"]).content.decode()
    continue_link = re.search(r'<a class="button" href="([^"]+)">I have saved these codes: continue</a>', codes)
    assert continue_link, "the recovery-codes page needs a way forward"
    response = client.get(continue_link.group(1))
    assert response.status_code == 302 and response["Location"] == f"/{institution_a.slug}/"
    assert client.get(response["Location"]).status_code == 200


def test_an_existing_user_who_accepts_lands_on_the_new_workspace(institution_a):
    user = _verified(UserFactory(username="known@example.org"))
    client = _invite(institution_a, Role.REVIEWER, email="known@example.org")
    client.force_login(user)
    response = client.post("/invitations/accept/")
    assert response.status_code == 302 and response["Location"] == f"/{institution_a.slug}/"


def test_a_reset_for_an_unknown_address_points_to_an_invitation_not_to_sign_up(client, settings):
    from django.core import mail

    client.post(reverse("account_reset_password"), {"email": "stranger@example.org"})
    body = mail.outbox[-1].body
    assert "/accounts/signup/" not in body and "sign up" not in body.lower()
    assert "Ask your institution's r2dr admin to invite this address" in body
