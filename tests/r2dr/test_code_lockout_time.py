"""The second-factor lockout says when the next code is checked, in the user's time zone (issue 11, "Institution
admins and accounts")."""

import datetime
import re
import time
import types
import zoneinfo

import pytest
from allauth.account.models import EmailAddress
from allauth.core.internal import ratelimit as allauth_ratelimit
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from r2dr import accounts
from r2dr.models import Institution
from r2dr.roles import Role
from tests.factories import MembershipFactory, enrol_totp, totp_now

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture
def clock(monkeypatch):
    """One clock for allauth's rate limit and r2dr's message, moved by hand."""
    now = [float(int(time.time()))]
    fake = types.SimpleNamespace(time=lambda: now[0], monotonic=time.monotonic, sleep=time.sleep)
    monkeypatch.setattr(allauth_ratelimit, "time", fake)
    monkeypatch.setattr(accounts, "time", fake)
    cache.clear()
    yield now
    cache.clear()


def test_the_code_lockout_says_when_the_next_attempt_is_allowed(make_member, institution_a, clock):
    user = make_member(institution_a, Role.CASE_OFFICER, mfa=False)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    secret = enrol_totp(user)
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    first_failure = clock[0]
    for _ in range(5):
        response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
        assert "Incorrect code" in response.content.decode()
        clock[0] += 20
    # Sixth try, 100 s after the first failure: the first failure leaves allauth's 5-minute window 200 s from now.
    response = client.post(reverse("mfa_authenticate"), {"code": totp_now(secret)})
    body = response.content.decode()
    assert "Try again later" not in body
    at = datetime.datetime.fromtimestamp(first_failure + 300, tz=zoneinfo.ZoneInfo("Asia/Bangkok"))
    at = at + datetime.timedelta(minutes=1) if at.second else at
    expected = f"Try again in 4 minutes, at {at:%H:%M} (Asia/Bangkok time)."
    assert expected in body, re.findall(r"Too many[^<]*", body)
    assert client.session.get("_auth_user_id") is None

    # At that time the right code is checked again, and it lets the officer in.
    clock[0] = first_failure + 300.5
    response = client.post(reverse("mfa_authenticate"), {"code": totp_now(secret)})
    assert response.status_code == 302 and client.session.get("_auth_user_id") == str(user.pk)


def test_the_lockout_time_is_in_utc_for_someone_without_one_institution(make_member, institution_a, institution_b):
    user = make_member(institution_a, Role.DATA_OFFICER)
    assert accounts.user_time_zone(user).key == "Asia/Bangkok"
    Institution.objects.filter(pk=institution_b.pk).update(time_zone="Asia/Jakarta")
    MembershipFactory(user=user, institution=institution_b, role=Role.REVIEWER)
    assert accounts.user_time_zone(user).key == "UTC"
