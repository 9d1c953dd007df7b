"""Canary: a report whose name and client address are known must leave the address nowhere and the name only
encrypted, in the database, the media folder, the cache and the logs."""

import io
import logging

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from cases import plaintext, selectors
from cases.models import Case
from tests.cases.conftest import PASSPHRASE
from tests.cases.dump import database_bytes, environment_bytes, media_bytes
from tests.cases.helpers import receipt_of, state_of, step_data, submit_report

pytestmark = pytest.mark.django_db

CANARY = "Canaryname Zqxwv"
IP = "203.0.113.77"
UA = "CanaryAgent/9.9 (UAQZX)"


def test_canary_name_and_ip(client, institution_a, keyed, taxonomy, caplog, capsys, settings):
    keyed(institution_a)
    caplog.set_level(logging.DEBUG)
    headers = {"REMOTE_ADDR": IP, "HTTP_X_FORWARDED_FOR": IP, "HTTP_X_REAL_IP": IP, "HTTP_USER_AGENT": UA}
    data = step_data(name=CANARY, narrative=f"{CANARY} was beaten")
    # A real image (uploads are now decoded before they are accepted), with the canary in its metadata.
    meta = PngInfo()
    meta.add_text("Comment", CANARY * 50)
    photo = io.BytesIO()
    Image.new("RGB", (8, 8)).save(photo, "PNG", pnginfo=meta)
    photo.seek(0)
    photo.name = f"{CANARY}.png"
    r = submit_report(client, institution_a, data, files=[photo], headers=headers)
    code = receipt_of(r)
    # Follow up too (reply + consent change), and trigger a failed lookup.
    r = client.post(f"/{institution_a.slug}/follow-up/", {"receipt": code, "nav": "open"}, **headers)
    client.post(
        f"/{institution_a.slug}/follow-up/",
        {"state": state_of(r), "nav": "reply", "body": f"{CANARY} again"},
        **headers,
    )
    client.post(f"/{institution_a.slug}/follow-up/", {"receipt": "1" * 25, "nav": "open"}, **headers)
    # A server error on a public page must not log the address either.
    logging.getLogger("django.request").error("boom", extra={"request": r.wsgi_request})

    from django.core.cache import cache

    dumps = {
        "database": database_bytes(),
        "media": media_bytes(),
        "environment": environment_bytes(),
        "cache": repr(getattr(cache, "_cache", {})).encode(),
        "logs": (caplog.text + "".join(capsys.readouterr())).encode(),
    }
    assert Case.objects.for_institution(institution_a).count() == 1
    from django.contrib.sessions.models import Session

    assert not Session.objects.exists(), "the public pages must not create server-side sessions"
    for where, blob in dumps.items():
        assert IP.encode() not in blob, f"client address found in {where}"
        assert b"UAQZX" not in blob, f"user agent found in {where}"
        assert CANARY.encode() not in blob, f"canary name in clear in {where}"
        assert CANARY.lower().encode() not in blob.lower(), f"canary name (any case) in {where}"
        assert code.replace(" ", "").encode() not in blob, f"receipt code in {where}"
    # The name is there, encrypted: an officer can read it.
    from cases import services

    officer = next(
        iter(selectors.officer_key_for.__globals__["OfficerKey"].objects.for_institution(institution_a))
    ).user
    _kr, private = services.keyring_unlock(institution=institution_a, user=officer, passphrase=PASSPHRASE)
    case = Case.objects.for_institution(institution_a).get()
    assert plaintext.case_private(case, plaintext.case_key_for_officer(case, private))["affected_names"] == CANARY


def test_deployment_logs_have_no_address():
    import pathlib
    import runpy

    root = pathlib.Path(__file__).resolve().parents[2] / "deploy"
    conf = runpy.run_path(str(root / "gunicorn.conf.py"))
    fmt = conf.get("access_log_format", "")
    assert fmt, "gunicorn must define its own access log format (the default logs the client address)"
    for token in ("%(h)s", "%(a)s", "%(f)s", "%(q)s", "x-forwarded-for", "x-real-ip"):
        assert token not in fmt.lower()
    nginx = (root / "nginx.conf").read_text()
    for line in nginx.splitlines():
        if line.strip().startswith(("log_format", "access_log")) and "off" not in line:
            assert "$remote_addr" not in line and "$http_user_agent" not in line


CANARY_EMAIL = "canary.defender.qzxw@example.org"


def _broker_bytes(url: str) -> bytes:
    """Every key and value the broker holds (Redis), read by type so nothing hides in a list or hash."""
    if not url.startswith(("redis://", "rediss://")):
        return b""
    import redis

    r = redis.Redis.from_url(url)
    out = []
    for key in r.scan_iter(count=1000):
        kind = r.type(key).decode()
        out.append(key)
        if kind == "string":
            out.append(r.get(key) or b"")
        elif kind == "list":
            out.extend(r.lrange(key, 0, -1))
        elif kind == "hash":
            out.extend(b"%s=%s" % kv for kv in r.hgetall(key).items())
        elif kind == "set":
            out.extend(r.smembers(key))
        elif kind == "zset":
            out.extend(r.zrange(key, 0, -1))
        elif kind == "stream":
            out.append(repr(r.xrange(key)).encode())
    return b"\n".join(out)


def test_canary_defender_email_reaches_no_log_file_or_broker(
    client, institution_a, keyed, taxonomy, caplog, capsys, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """A defender's address, given for status e-mails, is printed by no backend, logged by no logger, written to
    no file, and never handed to Celery: the status e-mail goes out from the officer's request after commit."""
    from celery.app.task import Task
    from django.core.cache import cache

    from r2dr.celery import app as celery_app

    settings.EMAIL_BACKEND = "r2dr.mail.ConsoleEmailBackend"  # the development and demo default
    caplog.set_level(logging.DEBUG)
    queued = []
    monkeypatch.setattr(Task, "apply_async", lambda self, *a, **kw: queued.append((self.name, a, kw)))
    monkeypatch.setattr(celery_app, "send_task", lambda *a, **kw: queued.append(a + (kw,)))

    officer, _key = keyed(institution_a)
    data = step_data()
    data["consent"]["submitter_email"] = CANARY_EMAIL
    receipt_of(submit_report(client, institution_a, data))
    case = Case.objects.for_institution(institution_a).get()
    client.force_login(officer)
    client.post(
        f"/{institution_a.slug}/cases/unlock/",
        {"passphrase": PASSPHRASE},
    )
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            f"/{institution_a.slug}/cases/{case.pk}/transition/", {"to_status": "assessment", "reason": "start"}
        )
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.status == "assessment"

    console = "".join(capsys.readouterr())
    dumps = {
        "logs": caplog.text.encode(),
        "console e-mail output": console.encode(),
        "media": media_bytes(),
        "database": database_bytes(),
        "cache": repr(getattr(cache, "_cache", {})).encode(),
        "Celery calls": repr(queued).encode(),
        "broker": _broker_bytes(settings.CELERY_BROKER_URL or ""),
    }
    for where, blob in dumps.items():
        assert CANARY_EMAIL.encode() not in blob.lower(), f"defender's e-mail address found in {where}"
        assert b"qzxw" not in blob.lower(), f"part of the defender's e-mail address found in {where}"
    # The status e-mail did go out (from the request, through the console backend), with the reference instead.
    assert f"defender-of-case-{case.reference}" in console
    assert "There is an update" not in console, "the defender e-mail's body must not be printed"
    assert "X-R2DR-Defender" not in console
