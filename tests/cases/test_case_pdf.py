"""The per-case PDF (case file): the internal version for entitled officers, the shareable version with the
pseudonym, refused when the consent for its purpose says no; restricted cases, locked keys, other institutions,
and the audit entry of every export."""

import datetime
import io
import os

import factory
import pytest
from pypdf import PdfReader

from cases import exports, plaintext, selectors, services
from cases.models import ConsentAnswer, DefenderGroup, PerpetratorType, Right, Status, ViolationType
from r2dr.roles import Role
from tests.cases.conftest import PASSPHRASE
from tests.cases.helpers import CaseFactory, unlock_client, walk_to
from tests.refusals import refused_request

pytestmark = pytest.mark.django_db

NAME = "CANARY Ayu Pratiwi"
THAI = "ทนายความสิทธิมนุษยชน"
CJK = "土地权利捍卫者"
EMAIL = "ayu.canary@example.org"
PHONE = "+670 7700 1234"


class CanaryCase(CaseFactory):
    """A case with every identifying field filled with canaries, in three scripts."""

    clear = factory.Dict(
        {
            "urgent": True,
            "incident_date": datetime.date(2025, 3, 14),
            "incident_date_precision": "month",
            "violation_types": factory.LazyFunction(lambda: [ViolationType.objects.get(code="judicial-harassment")]),
            "defender_groups": factory.LazyFunction(lambda: [DefenderGroup.objects.get(code="land-environment")]),
            "perpetrator_kind": "state",
            "perpetrator_types": factory.LazyFunction(lambda: [PerpetratorType.objects.get(code="police")]),
            "rights": factory.LazyFunction(lambda: [Right.objects.get(code="assembly")]),
            "gender": "woman",
            "age_group": "30_59",
        }
    )
    private = factory.Dict(
        {
            "affected_names": NAME,
            "organisation": "CANARY Land Collective",
            "relationship": "",
            "submitter_is_victim": True,
            "activity": f"Documents land grabs for the {THAI} network ({CJK}).",
            "narrative": f"Police detained {NAME} at the market; later Pratiwi was charged. ACCOUNTMARK {THAI} {CJK}",
            "location_detail": "CANARY hamlet near the river",
            "perpetrator_detail": "Two officers of the district station",
            "actions_taken": "Complaint to the district court",
            "authorities_response": "No answer",
            "contact_method": "phone",
            "contact_details": PHONE,
            "submitter_email": EMAIL,
        }
    )
    consents = factory.Dict({"contact": "yes", "un": "yes_anonymised", "protection": "yes_named", "statistics": "yes"})
    consent_wording = factory.Dict(
        {
            "contact": "May the institution contact you? — Yes",
            "un": "May the institution share with UN Special Procedures? — Yes, but without names",
            "protection": "May the institution share with protection organisations? — Yes, with names",
            "statistics": "Anonymised facts in statistics? — Yes",
        }
    )


@pytest.fixture
def world(client, institution_a, keyed, taxonomy):
    officer, _kit = keyed(institution_a)
    case = CanaryCase(institution=institution_a)
    _kr, private = services.keyring_unlock(institution=institution_a, user=officer, passphrase=PASSPHRASE)
    key = plaintext.case_key_for_officer(case, private)
    case = walk_to(case, key, officer, Status.ACTION)
    services.source_add(
        case=case, case_key=key, by=officer, kind="media", reliability="usually", description=f"Article naming {NAME}"
    )
    services.intervention_save(
        case=case,
        case_key=key,
        by=officer,
        kind="letter",
        status="sent",
        addressee="District police commander",
        details=f"Asked for the release of {NAME}",
        date_sent=datetime.date(2025, 4, 2),
    )
    services.message_add(case=case, case_key=key, direction="submitter", body="MESSAGEMARK thank you")
    client.force_login(officer)
    return institution_a, officer, case, private


def _url(institution, case):
    return f"/{institution.slug}/cases/{case.pk}/case-file/"


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def _keep(response, name):
    """R2DR_KEEP_PDF=/some/dir keeps the PDFs to look at (pdftoppm -png -r 60)."""
    if target := os.environ.get("R2DR_KEEP_PDF"):
        with open(os.path.join(target, name), "wb") as fh:
            fh.write(response.content)


def test_internal_file_has_the_account_and_identities(client, world):
    institution, officer, case, _private = world
    unlock_client(client, institution)
    page = client.get(_url(institution, case))
    assert page.status_code == 200 and "Download case file (PDF)" in page.content.decode()
    response = client.post(_url(institution, case), {"variant": "internal"})
    _keep(response, "internal.pdf")
    assert "no-store" in response["Cache-Control"]
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "CANARY" not in disposition and "Ayu" not in disposition
    text = _text(response)
    for expected in (case.reference, "ACCOUNTMARK", NAME, EMAIL, PHONE, "MESSAGEMARK", "Being verified", "why action"):
        assert expected in text, expected
    assert "Usually reliable" in text and "District police commander" in text
    assert "Yes, but without names" in text  # consents as recorded, with their wording
    assert officer.get_username() in text or officer.email in text  # footer: who exported it
    assert "Confidential" in text
    assert THAI in text.replace(" ", "") or "ทนาย" in text  # Thai text is drawn with a Thai font, not boxes


def test_shareable_version_uses_the_pseudonym(client, world):
    institution, _officer, case, _private = world
    unlock_client(client, institution)
    # Protection consent "with names": account included, names replaced; UN consent "without names": withheld.
    for purpose, account_included in (("protection", True), ("un", False)):
        response = client.post(_url(institution, case), {"variant": purpose})
        _keep(response, f"shareable-{purpose}.pdf")
        assert "CANARY" not in response["Content-Disposition"]
        text = _text(response)
        flat = text.replace("\n", " ")
        squeezed = "".join(text.split())  # a name broken across lines is still found
        assert "".join(exports.pseudonym(case).split()) in squeezed
        for secret in ("CANARY", "Ayu", "Pratiwi", EMAIL, PHONE, "MESSAGEMARK"):
            assert "".join(secret.split()) not in squeezed, (purpose, secret)
        assert ("ACCOUNTMARK" in flat) is account_included
        assert ("Withheld: the consent" in flat) is not account_included
        assert ("[name withheld]" in flat) is account_included  # "Pratiwi" alone in the account


def test_shareable_version_refused_without_consent(client, institution_a, keyed, taxonomy):
    officer, _kit = keyed(institution_a)
    case = CanaryCase(institution=institution_a, consents__un="no")
    services.consent_change(case=case, kind="protection", answer="no", wording="revoked", language="en")
    client.force_login(officer)
    unlock_client(client, institution_a)
    page = client.get(_url(institution_a, case)).content.decode()
    assert "has not agreed to sharing with UN Special Procedures" in page
    for purpose in ("un", "protection", "statistics", "contact", ""):
        r = client.post(_url(institution_a, case), {"variant": purpose})
        assert r.status_code == 302 and r["Location"].endswith(_url(institution_a, case)), purpose
    followed = client.get(r["Location"]).content.decode()
    assert "Choose which version" in followed
    r = client.post(_url(institution_a, case), {"variant": "protection"}, follow=True)
    assert "has not agreed to sharing with a protection organisation" in r.content.decode()
    actions = list(selectors.access_entries(institution_a).values_list("action", flat=True))
    assert not [a for a in actions if a.startswith("cases.export.case_file")]
    # The internal file stays available to the entitled officer.
    assert _text(client.post(_url(institution_a, case), {"variant": "internal"}))


def test_consent_revocation_is_honoured_by_the_next_export(client, world):
    institution, _officer, case, _private = world
    unlock_client(client, institution)
    assert client.post(_url(institution, case), {"variant": "protection"}).status_code == 200
    shareable_exports = "cases.export.case_file.shareable"
    before = list(selectors.access_entries(institution).filter(action=shareable_exports))
    assert len(before) == 1
    services.consent_change(case=case, kind="protection", answer=ConsentAnswer.NO, wording="w", language="en")
    r = client.post(_url(institution, case), {"variant": "protection"})
    assert r.status_code == 302 and r["Location"].endswith(_url(institution, case))  # back to choosing a version
    assert "has not agreed to sharing with a protection organisation" in client.get(r["Location"]).content.decode()
    assert list(selectors.access_entries(institution).filter(action=shareable_exports)) == before  # nothing exported


def test_restricted_case_only_for_named_officers(client, world, make_member):
    institution, officer, case, private = world
    colleague = make_member(institution, Role.CASE_OFFICER, email="colleague@a.example")
    okey = services.officer_key_create(institution=institution, user=colleague, passphrase=PASSPHRASE)
    services.key_grant_create(institution=institution, by=officer, institution_private=private, officer_key=okey)
    services.case_restrict(case=case, by=officer, officers=[officer])
    client.force_login(colleague)
    unlock_client(client, institution)
    for method in ("get", "post"):
        refused_request(getattr(client, method), _url(institution, case), {"variant": "internal"}, status=404)
    client.force_login(officer)
    unlock_client(client, institution)
    assert NAME in _text(client.post(_url(institution, case), {"variant": "internal"}))


def test_locked_key_redirects_to_unlock(client, world):
    institution, _officer, case, _private = world
    for method in ("get", "post"):
        r = getattr(client, method)(_url(institution, case), {"variant": "internal"})
        assert r.status_code == 302 and f"/{institution.slug}/cases/unlock/?next=" in r["Location"]
    assert not selectors.access_entries(institution).filter(action__startswith="cases.export").exists()


def test_every_export_is_audited_with_opaque_references(client, world):
    institution, officer, case, _private = world
    unlock_client(client, institution)
    client.post(_url(institution, case), {"variant": "internal"})
    client.post(_url(institution, case), {"variant": "protection"})
    entries = list(selectors.access_entries(institution).filter(action__startswith="cases.export.case_file"))
    assert [e.action for e in entries] == ["cases.export.case_file.shareable", "cases.export.case_file"]
    for entry in entries:
        assert entry.object_type == "case" and entry.object_ref == case.reference and entry.actor == officer
        assert "CANARY" not in str(entry.detail)
    assert selectors.verify_access_log(institution)


def test_officer_of_another_institution_gets_404(client, world, institution_b, keyed):
    institution, _officer, case, _private = world
    other, _kit = keyed(institution_b)
    client.force_login(other)
    unlock_client(client, institution_b)
    for method in ("get", "post"):
        request = getattr(client, method)
        refused_request(
            request, f"/{institution_b.slug}/cases/{case.pk}/case-file/", {"variant": "internal"}, status=404
        )
        refused_request(request, _url(institution, case), status=(403, 404))


def test_names_in_unspaced_scripts_and_surnames_are_replaced():
    redact = exports._name_redactor(
        {
            "affected_names": "王小明, Ana Maria Souza",
            "organisation": "Land Rights Union",
            "submitter_email": "a@b.org",
        },
        "P",
    )
    assert redact("昨天王小明被捕。Souza and ANA MARIA SOUZA wrote from a@b.org; Ananas") == (
        "昨天P被捕。[name withheld] and P wrote from P; Ananas"
    )
    # An organisation is replaced whole; its ordinary words elsewhere are left alone.
    assert redact("The land rights union (Land Rights Union) fights land grabs") == "The P (P) fights land grabs"


@pytest.mark.bench
def test_pdf_size_and_time(client, world):
    """Prints the size and build time of a typical case file (the first render also loads the fonts)."""
    import time

    institution, _officer, case, _private = world
    unlock_client(client, institution)
    for run in ("first", "second"):
        start = time.perf_counter()
        response = client.post(_url(institution, case), {"variant": "internal"})
        elapsed = time.perf_counter() - start
        assert response.status_code == 200
        print(f"case file ({run} render): {len(response.content) / 1024:.0f} KiB in {elapsed * 1000:.0f} ms")  # noqa: T201


def test_undecryptable_case_gives_a_message_not_an_error(client, world):
    from cases.models import Case

    institution, _officer, case, _private = world
    Case.objects.for_institution(institution).filter(pk=case.pk).update(payload=b"\x00" * 64)
    unlock_client(client, institution)
    r = client.post(_url(institution, case), {"variant": "internal"}, follow=True)
    assert r.status_code == 200 and "cannot be decrypted" in r.content.decode()
