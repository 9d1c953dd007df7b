"""Secrets that travel by e-mail or live in calendar applications (invitation tokens, password-reset and e-mail
verification secrets, workshop calendar feed tokens) never reach an access log: the flows run through the test client, every request it made is formatted as gunicorn's
`access_log_format` and nginx's `log_format` (deploy/) would write it, and the lines are searched for every secret
the flows used."""

import pathlib
import re
import runpy

import pytest
from django.core import mail
from django.core.signals import request_started
from django.test import Client, TestCase

from r2dr import services
from r2dr.models import Membership
from r2dr.roles import Role
from tests.factories import UserFactory
from tests.refusals import refused_request

pytestmark = pytest.mark.django_db

DEPLOY = pathlib.Path(__file__).resolve().parents[2] / "deploy"
NEW_PASSWORD = "a new and long enough passphrase"


@pytest.fixture
def access_log():
    """Every request the test clients make, as the lines gunicorn and nginx would log for it."""
    environs = []

    def record(sender, environ=None, **kwargs):
        if environ is not None:
            environs.append(dict(environ))

    request_started.connect(record)
    yield lambda: [line for environ in environs for line in _log_lines(environ)]
    request_started.disconnect(record)


def _log_lines(environ):
    path, query = environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", "")
    method = environ.get("REQUEST_METHOD", "GET")
    request_uri = path + (f"?{query}" if query else "")
    # gunicorn's atoms (glogging.Logger.atoms), with made-up values where the request does not decide them.
    atoms = {
        "h": "-",
        "l": "-",
        "u": "-",
        "t": "[01/Dec/2026:12:00:00 +0000]",
        "r": f"{method} {request_uri} HTTP/1.1",
        "m": method,
        "U": path,
        "q": query,
        "H": "HTTP/1.1",
        "s": "200",
        "B": "0",
        "b": "0",
        "f": "-",
        "a": "-",
        "T": "0",
        "D": "0",
        "M": "0",
        "L": "0",
        "p": "<1>",
    }
    gunicorn = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))["access_log_format"] % atoms
    # nginx: its $uri is the decoded path without the query; $request_uri and $args carry the query.
    variables = {
        "time_local": "01/Dec/2026:12:00:00 +0000",
        "request": atoms["r"],
        "request_method": method,
        "request_uri": request_uri,
        "uri": path,
        "document_uri": path,
        "args": query,
        "query_string": query,
        "is_args": "?" if query else "",
        "status": "200",
        "body_bytes_sent": "0",
        "request_time": "0.001",
    }
    conf = (DEPLOY / "nginx.conf").read_text()
    lines = [gunicorn]
    for fmt in re.findall(r"log_format\s+\S+\s+((?:'[^']*'\s*)+);", conf):
        template = "".join(re.findall(r"'([^']*)'", fmt))
        lines.append(re.sub(r"\$(\w+)", lambda m: variables.get(m.group(1), "-"), template))
    assert len(lines) > 1, "nginx.conf defines no log_format"
    return lines


def _assert_not_logged(lines, secrets):
    assert lines, "no request was recorded"
    for secret in secrets:
        assert len(secret) >= 6
        found = [line for line in lines if secret in line]
        assert not found, f"a secret reached the access log: {found[0]}"


def test_invitation_token_is_exchanged_on_first_use_and_never_logged(institution_a, member_client, access_log):
    admin = member_client(institution_a, Role.INSTITUTION_ADMIN)
    with TestCase.captureOnCommitCallbacks(execute=True):
        admin.post(f"/{institution_a.slug}/members/", {"email": "invitee@example.org", "role": "reviewer"})
    link = re.search(r"https?://testserver(/invitations/\S+)", mail.outbox[-1].body).group(1)
    token = re.search(r"(?:token=|/invitations/)([\w-]{20,})", link).group(1)

    invitee = Client()
    response = invitee.get(link)
    assert response.status_code == 302 and response["Location"] == "/invitations/accept/"
    # The token is dead once exchanged: whoever opens the link next (a reader of the log) gets a clear refusal.
    late = Client()
    refused = refused_request(late.get, link, status=404)
    assert "already opened" in refused.content.decode()
    refused_request(late.get, "/invitations/accept/", status=404)
    signup = {"name": "Rina", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    refused_request(late.post, "/invitations/accept/", signup, status=404)

    page = invitee.get("/invitations/accept/")
    assert page.status_code == 200 and "invitee@example.org" in page.content.decode()
    assert invitee.post("/invitations/accept/", signup).status_code == 302
    assert Membership.objects.filter(user__email="invitee@example.org", role=Role.REVIEWER).exists()
    refused_request(invitee.get, link, status=404)

    _assert_not_logged(access_log(), [token])


def test_password_reset_secret_is_never_logged(client, access_log):
    user = UserFactory(username="staff@example.org", email="staff@example.org")
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    response = client.post("/accounts/password/reset/", {"email": user.email}, follow=True)
    assert response.status_code == 200
    body = mail.outbox[-1].body
    link = re.search(r"https?://testserver(/\S+)", body)
    if link:
        # A reset link (the key flow): the user clicks it; its key is the secret.
        secrets = [link.group(1).strip("/").split("/")[-1]]
        response = client.get(link.group(1), follow=True)
        form_path = response.redirect_chain[-1][0] if response.redirect_chain else link.group(1)
    else:
        code = re.search(r"^\s*([A-Z0-9]{4,}(?:-[A-Z0-9]+)*)\s*$", body, re.MULTILINE).group(1)
        secrets = [code, code.replace("-", "")]
        # The code is bound to the browser that asked for it: another one cannot use it.
        other = Client()
        other.post("/accounts/password/reset/confirm/", {"code": code})
        assert other.get("/accounts/password/reset/complete/").status_code != 200
        response = client.post("/accounts/password/reset/confirm/", {"code": code}, follow=True)
        form_path = response.redirect_chain[-1][0]
    response = client.post(form_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD), "the reset flow must work"

    _assert_not_logged(access_log(), secrets)


def test_email_verification_secret_is_never_logged(client, access_log):
    # There is no sign-up (everyone is invited): a new address to verify comes from a member adding one.
    member = UserFactory(username="member@example.org")
    client.force_login(member)
    response = client.post("/accounts/email/", {"email": "trainee@example.org", "action_add": ""}, follow=True)
    assert response.status_code == 200
    body = mail.outbox[-1].body
    link = re.search(r"https?://testserver(/accounts/confirm-email/\S+)", body)
    if link:
        secrets = [link.group(1).strip("/").split("/")[-1]]
        client.get(link.group(1))
        client.post(link.group(1))
    else:
        code = re.search(r"^\s*([A-Z0-9]{4,}(?:-[A-Z0-9]+)*)\s*$", body, re.MULTILINE).group(1)
        secrets = [code, code.replace("-", "")]
        client.post("/accounts/confirm-email/", {"code": code})
    from allauth.account.models import EmailAddress

    assert EmailAddress.objects.get(email="trainee@example.org").verified, "the verification flow must work"

    _assert_not_logged(access_log(), secrets)


def test_links_sent_with_the_token_in_the_path_die_on_first_use(institution_a):
    _invitation, token = services.invitation_create(
        email="earlier@example.org", role=Role.REVIEWER, institution=institution_a, by=None
    )
    invitee = Client()
    assert invitee.get(f"/invitations/{token}/")["Location"] == "/invitations/accept/"
    refused = refused_request(Client().get, f"/invitations/{token}/", status=404)
    assert "already opened" in refused.content.decode()
    assert invitee.get("/invitations/accept/").status_code == 200


def test_calendar_feed_token_is_never_logged(institution_a, member_client, access_log):
    """A calendar application polls the feed for as long as the subscription lives, so its token cannot die on
    first use like an invitation's: it must stay out of every logged path."""
    admin = member_client(institution_a, Role.INSTITUTION_ADMIN)
    page = admin.post(f"/{institution_a.slug}/training/workshops/feed/", {"action": "issue"}).content.decode()
    address = re.search(r'value="https?://[^/"]+(/[^"]+)"', page).group(1).replace("&amp;", "&")
    token = re.search(r"token=([\w-]{20,})", address).group(1)
    for _poll in range(2):
        assert Client().get(address).status_code == 200
    admin.post(f"/{institution_a.slug}/training/workshops/feed/", {"action": "revoke"})
    assert Client().get(address).status_code == 404

    _assert_not_logged(access_log(), [token])


def test_real_sending_strips_the_defender_marker(monkeypatch):
    """The marker names the case: the defender's mail provider must never see which case an address belongs to."""
    from django.core.mail import EmailMessage
    from django.core.mail.backends.smtp import EmailBackend

    from r2dr.mail import SMTPEmailBackend, defender_headers

    sent = []
    monkeypatch.setattr(EmailBackend, "send_messages", lambda self, messages: sent.extend(messages) or len(messages))
    message = EmailMessage("Update", "body", None, ["d@example.org"], headers=defender_headers(reference="C-ABC"))
    SMTPEmailBackend().send_messages([message])
    assert sent[0].to == ["d@example.org"] and sent[0].body == "body"
    assert "C-ABC" not in sent[0].message().as_string()
