"""A locked officer sent to unlock comes back to a page that can be shown, whatever sent them: a link (GET) or a
form (POST) on any page of the cases app. A POST is never replayed after unlocking, so a form whose own URL answers
POST only must bring the officer back to the page the form was on, not to an HTTP 405 page."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import override_settings

from tests.cases.url_args import b_keyholder
from tests.factories import InstitutionFactory, enrol_totp
from tests.test_access_matrix import ALL_PATTERNS, SENTINEL, build_path
from tests.url_args import World

pytestmark = pytest.mark.django_db

MATRIX_PASSPHRASE = "matrix passphrase"  # tests/cases/url_args.py: the keyholder's passphrase
FAST = {"R2DR_KDF_OPSLIMIT": 1, "R2DR_KDF_MEMLIMIT": 8192 * 8}

# Every URL of an institution's cases pages that a locked case officer can be turned away from.
CASE_STAFF_ROUTES = [
    (route, entry)
    for route, entry in ALL_PATTERNS
    if route.startswith("<slug:institution_slug>/cases/")
    and entry.name not in ("cases_unlock", "cases_lock")  # the unlock page itself, and locking
]

# Forms that need the unlocked key and whose URL answers POST only: the control that the test reaches them.
NEEDS_THE_KEY = {
    ("post", "cases_grant"),
    ("post", "cases_transition"),
    ("post", "cases_source_add"),
    ("post", "cases_merge"),
    ("post", "cases_detail"),
    ("get", "cases_detail"),
}


def _next_of(response) -> str:
    assert response.status_code == 302, response.status_code
    location = urlsplit(response["Location"])
    assert location.path.endswith("/cases/unlock/"), response["Location"]
    return parse_qs(location.query)["next"][0]


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("item", CASE_STAFF_ROUTES, ids=[e.name for _r, e in CASE_STAFF_ROUTES])
def test_after_unlocking_the_officer_lands_on_a_page_that_can_be_shown(item, method, client, institution_a):
    route, entry = item
    other = InstitutionFactory(slug="unused-other", name="Unused")
    with override_settings(**FAST):
        world = World(a=other, b=institution_a, sentinel=SENTINEL)  # the officer's own institution is "B" here
        path = build_path(route, world)
        officer = b_keyholder(world)
        enrol_totp(officer)
        client.force_login(officer)
        response = getattr(client, method)(path)
        if response.status_code != 302 or "/cases/unlock/" not in response["Location"]:
            # This request does not need the key (or is refused before it would); the forms that do must be here.
            assert (method, entry.name) not in NEEDS_THE_KEY, f"{method.upper()} {path}: {response.status_code}"
            return
        target = _next_of(response)
        if method == "post":
            unlock_page = client.get(response["Location"])
            assert "so this was not done" in unlock_page.content.decode()  # the officer knows to do it again
        after = client.post(
            f"/{institution_a.slug}/cases/unlock/", {"passphrase": MATRIX_PASSPHRASE, "next": target}, follow=True
        )
    assert after.status_code == 200, (
        f"{method.upper()} {path} while locked -> unlock -> {target}: {after.status_code} "
        f"({[u for u, _s in after.redirect_chain]})"
    )
    assert after.resolver_match.url_name != "cases_unlock", "the passphrase did not unlock"
