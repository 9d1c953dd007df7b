"""Bad input to the public form, the follow-up and the officer's image view answers clearly: never a 500, and
never silently stored differently from what the defender saw confirmed."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(institution_a, keyed, taxonomy):
    officer, _kit = keyed(institution_a)
    return institution_a, officer


# --- 1. a NUL byte in the follow-up's institution field -------------------------------------------------------


def test_nul_byte_in_the_follow_up_institution_is_a_clear_message(client, ready):
    institution, _ = ready
    r = client.post("/follow-up/", {"institution": f"{institution.slug}\x00", "receipt": "1234"})
    assert r.status_code == 200
    assert "Choose the institution you reported to." in r.content.decode()


# --- 2. a form body declared in a charset the form cannot be read in --------------------------------------------


@pytest.mark.parametrize("path", ["/follow-up/", "/{slug}/report/", "/{slug}/follow-up/", "/accounts/login/"])
def test_a_body_declared_utf16_is_a_clear_400_page(client, ready, path):
    institution, _ = ready
    client.raise_request_exception = False
    body = "institution=a&receipt=1234&nav=start".encode("utf-16")
    r = client.generic(
        "POST",
        path.format(slug=institution.slug),
        body,
        content_type="application/x-www-form-urlencoded; charset=utf-16",
    )
    assert r.status_code == 400
    page = r.content.decode()
    assert "could not be read" in page
    assert "Server error" not in page
