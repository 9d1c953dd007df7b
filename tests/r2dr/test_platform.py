import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.refusals import refused_request

ROOT = Path(__file__).resolve().parents[2]


def test_healthz_answers_without_the_database(client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_database_and_broker(client):
    response = client.get("/readyz/")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_readyz_is_503_with_a_reason_when_the_broker_is_down(client, settings):
    from r2dr.celery import app

    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    app.conf.task_always_eager = False
    try:
        response = client.get("/readyz/")
    finally:
        app.conf.task_always_eager = True
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert "broker" in response.json()["problems"]


def test_readyz_is_503_when_the_database_is_unreachable():
    env = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none", "CELERY_BROKER_URL": ""}
    code = (
        "import django, json; django.setup();"
        "from django.test import Client; r = Client().get('/readyz/');"
        "print(r.status_code, json.dumps(r.json()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "DJANGO_SETTINGS_MODULE": "r2dr.settings"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    status, body = out.stdout.strip().split(" ", 1)
    assert status == "503"
    assert "database" in json.loads(body)["problems"]


@pytest.mark.django_db
def test_security_headers_on_every_page(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "http" not in csp
    assert response["Referrer-Policy"] == "same-origin"
    assert "geolocation=()" in response["Permissions-Policy"]
    assert "camera=()" in response["Permissions-Policy"] and "microphone=()" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_pages_load_nothing_from_other_hosts(client):
    body = client.get("/").content.decode()
    assert "https://" not in body.replace('href="https://', "")
    assert "<script>" not in body and "style=" not in body


def test_check_deploy_is_clean_in_production_mode():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "R2DR_ENV": "production",
        "DJANGO_SECRET_KEY": "k" * 20 + "-production-like-secret-key-value-0123456789",
        "DJANGO_ALLOWED_HOSTS": "r2dr.example.org",
        "REDIS_URL": "redis://127.0.0.1:6379/9",
        "R2DR_RECEIPT_SECRET": "r" * 20 + "-production-like-receipt-secret-0123456789",
        "R2DR_CREDENTIAL_KEY": "c0" * 32,
        "DATABASE_URL": os.environ.get("DATABASE_URL", "sqlite:////tmp/r2dr-deploy-check.sqlite3"),
    }
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {**os.environ, "R2DR_ENV": "production", "DJANGO_SECRET_KEY": ""}
    out = subprocess.run(
        [sys.executable, "manage.py", "check"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert out.returncode != 0
    assert "DJANGO_SECRET_KEY" in out.stderr


@pytest.mark.django_db
def test_error_pages_leak_nothing(client, member_client, institution_a, institution_b):
    response = client.get("/no-such-page/deeper/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Traceback" not in body and "Page not found" in body
    assert "DEBUG" not in body and "settings" not in body
    officer = member_client(institution_a, "data_officer")
    response = refused_request(officer.get, f"/{institution_b.slug}/", status=403)
    assert institution_b.name not in response.content.decode()


def test_server_error_page_renders_without_the_database(rf):
    from r2dr.views import error_500

    response = error_500(rf.get("/"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


@pytest.mark.django_db(transaction=True)  # e-mails leave on commit, as in `make demo`
def test_seed_demo_is_idempotent_and_users_pass_mfa(django_user_model, capsys, settings):
    from allauth.mfa.models import Authenticator

    from r2dr.models import Institution, Membership
    from r2dr.roles import MFA_REQUIRED_ROLES

    settings.EMAIL_BACKEND = "r2dr.mail.ConsoleEmailBackend"  # the demo's own backend, which prints to stdout
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    printed = out.getvalue() + capsys.readouterr().out
    # A newcomer sees the recovery kits and the summary, not the e-mails that seeding triggered.
    assert "Subject:" not in printed and "Demo data ready." in printed
    assert "e-mails that seeding triggered" in printed
    counts = (Institution.objects.count(), Membership.objects.count(), django_user_model.objects.count())
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    assert (Institution.objects.count(), Membership.objects.count(), django_user_model.objects.count()) == counts
    assert Institution.objects.count() >= 25
    for membership in Membership.objects.filter(role__in=MFA_REQUIRED_ROLES).select_related("user"):
        assert Authenticator.objects.filter(user=membership.user, type="totp").exists()


@pytest.mark.django_db
def test_request_logs_carry_no_client_address(client, caplog):
    import logging

    with caplog.at_level(logging.DEBUG):
        client.get("/no-such-page/", REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT="CanaryAgent/1.0")
    assert "203.0.113.77" not in caplog.text and "CanaryAgent" not in caplog.text


@pytest.mark.django_db
def test_data_translations_fall_back_to_the_source_text(institution_a):
    from django.utils import translation

    institution_a.set_translation("th", "name", "สถาบัน เอ")
    institution_a.save()
    with translation.override("th"):
        assert str(institution_a) == "สถาบัน เอ"
    with translation.override("mn"):
        assert str(institution_a) == "Institution A"


@pytest.mark.django_db
def test_public_api_lists_institutions_without_private_fields(client, institution_a):
    response = client.get("/api/v1/institutions/")
    assert response.status_code == 200
    rows = response.json()
    assert [r["slug"] for r in rows] == ["inst-a"]
    assert "contact_email" not in rows[0]


@pytest.mark.django_db
def test_openapi_schema_is_served_to_signed_in_users(client, make_member, institution_a):
    assert client.get("/api/v1/schema/").status_code == 302
    client.force_login(make_member(institution_a, "data_officer"))
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"/api/v1/institutions/" in response.content


def test_check_deploy_warns_about_a_per_process_cache():
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL")},
        "R2DR_ENV": "production",
        "DJANGO_SECRET_KEY": "k" * 20 + "-production-like-secret-key-value-0123456789",
        "DJANGO_ALLOWED_HOSTS": "r2dr.example.org",
    }
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "r2dr.W001" in out.stdout + out.stderr


@pytest.mark.django_db
def test_home_page_offers_reporting_follow_up_and_the_framework(client):
    body = client.get("/").content.decode()
    assert 'href="/report/"' in body and 'href="/follow-up/"' in body and 'href="/framework/"' in body
