"""The UN Special Procedures draft can be completed: the officer edits every section, writes the anonymised account
that a consent "without names" asks for, keeps it (encrypted under the case key) and downloads it once nothing
keeps it from being sent. Countries are named in words."""

import io

import pytest
from pypdf import PdfReader

from cases import plaintext, selectors, services
from cases.models import Status, UnCommunicationDraft
from tests.cases.conftest import PASSPHRASE
from tests.cases.helpers import CaseFactory, unlock_client, walk_to

pytestmark = pytest.mark.django_db

ANONYMISED = "A land rights organiser was charged after speaking at a public meeting about evictions."


@pytest.fixture
def anonymous_case(client, institution_a, keyed, taxonomy):
    """A verified case whose UN consent is "yes, without names", and an unlocked officer's client."""
    officer, _kit = keyed(institution_a)
    case = CaseFactory(
        institution=institution_a,
        names="CANARY Defender",
        narrative="CANARY Defender was taken from Secret village.",
        consents={"statistics": "yes", "un": "yes_anonymised"},
        consent_wording={"statistics": "w", "un": "w"},
    )
    _kr, private = services.keyring_unlock(institution=institution_a, user=officer, passphrase=PASSPHRASE)
    key = plaintext.case_key_for_officer(case, private)
    case = walk_to(case, key, officer, Status.ACTION)
    client.force_login(officer)
    unlock_client(client, institution_a)
    return institution_a, officer, case, key


def _url(case):
    return f"/{case.institution.slug}/cases/{case.pk}/un-communication/"


def _page_sections(client, case) -> list[str]:
    response = client.get(_url(case))
    return [response.context["sections"][n][0].value() for n in range(5)]


def _pdf_text(response) -> str:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf", response.status_code
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def test_without_names_the_officer_writes_the_anonymised_account_and_exports_it(client, anonymous_case):
    institution, officer, case, _key = anonymous_case
    page = client.get(_url(case)).content.decode()
    assert page.count("<textarea") == 5 and "Replace the “[withheld: …]” line" in page
    assert "CANARY" not in page.split("</details>")[-1], "a name outside the officer's own reference panel"
    # Not ready: the PDF is refused while the withheld marker stands where the account belongs.
    refused = client.get(_url(case) + "?format=pdf", follow=True)
    assert refused["Content-Type"].startswith("text/html") and "not ready to send" in refused.content.decode()

    sections = _page_sections(client, case)
    assert "Aland" in sections[3] and ", TL" not in sections[3]  # the country in words
    sections[2] = sections[2].replace(
        "[withheld: the consent is without names; write an anonymised account]", "Organising a land rights group."
    )
    sections[3] = sections[3].replace(
        "[withheld: the consent is without names; write an anonymised account]", ANONYMISED
    )
    sections[4] += "\nLetter sent to the provincial police chief."
    form = {f"section_{n}": text for n, text in enumerate(sections, start=1)}
    saved = client.post(_url(case), {**form, "action": "save"}, follow=True)
    assert "Draft saved" in saved.content.decode() and "not ready" not in saved.content.decode()
    # Kept, encrypted under the case key: the row holds no plaintext, and the page shows the officer's version.
    row = UnCommunicationDraft.objects.for_institution(institution).get(case=case)
    assert ANONYMISED.encode() not in bytes(row.text) and b"land rights" not in bytes(row.text)
    assert _page_sections(client, case)[3].endswith(ANONYMISED)
    assert f"last saved by {officer.email}" in client.get(_url(case)).content.decode()

    text = _pdf_text(client.post(_url(case), {**form, "action": "pdf"}))
    assert "organiser was charged" in text and "provincial police chief" in text and "Aland" in text
    assert "CANARY" not in text and "withheld" not in text
    actions = set(selectors.access_entries(institution).values_list("action", flat=True))
    assert {"cases.un_communication.saved", "cases.export.un_communication.pdf"} <= actions


def test_a_recorded_name_in_a_draft_without_names_stops_the_export(client, anonymous_case):
    _institution, _officer, case, _key = anonymous_case
    sections = [f"Section {n} in anonymised words." for n in range(1, 6)]
    sections[0] = "Mr Defender, a land rights organiser."  # a part of the recorded name "CANARY Defender"
    form = {f"section_{n}": text for n, text in enumerate(sections, start=1)}
    response = client.post(_url(case), {**form, "action": "pdf"})
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/html") and "not ready to send" in body
    assert "“Defender” is a name or contact detail recorded on the case" in body
    assert "Mr Defender, a land rights organiser." in body  # what was typed is kept, and saved
    sections[0] = "A land rights organiser."
    form = {f"section_{n}": text for n, text in enumerate(sections, start=1)}
    assert client.post(_url(case), {**form, "action": "pdf"})["Content-Type"] == "application/pdf"


def test_with_names_every_section_is_editable_and_empty_ones_stop_the_export(client, anonymous_case):
    _institution, _officer, case, _key = anonymous_case
    services.consent_change(case=case, kind="un", answer="yes_named", wording="w", language="en")
    sections = _page_sections(client, case)
    assert "CANARY Defender" in sections[0] and "Secret village" in sections[3]
    sections[1] = ""
    form = {f"section_{n}": text for n, text in enumerate(sections, start=1)}
    body = client.post(_url(case), {**form, "action": "pdf"}).content.decode()
    assert "Write this section." in body
    sections[1] = "Police officers of the district command."
    form = {f"section_{n}": text for n, text in enumerate(sections, start=1)}
    text = _pdf_text(client.post(_url(case), {**form, "action": "pdf"}))
    assert "Police officers of the district command." in text and "CANARY Defender" in text


def test_discarding_starts_again_from_the_case_record(client, anonymous_case):
    institution, _officer, case, _key = anonymous_case
    form = {f"section_{n}": f"My own section {n}" for n in range(1, 6)}
    client.post(_url(case), {**form, "action": "save"})
    assert _page_sections(client, case)[0] == "My own section 1"
    done = client.post(_url(case), {"action": "discard"}, follow=True)
    assert "start again from the case record" in done.content.decode() or "starts again" in done.content.decode()
    assert _page_sections(client, case)[0].startswith(f"the defender of case {case.reference}")
    assert not UnCommunicationDraft.objects.for_institution(institution).filter(case=case).exists()


def test_a_withdrawn_consent_closes_the_saved_draft_too(client, anonymous_case):
    _institution, _officer, case, _key = anonymous_case
    client.post(_url(case), {**{f"section_{n}": "x" for n in range(1, 6)}, "action": "save"})
    services.consent_change(case=case, kind="un", answer="no", wording="w", language="en")
    for response in (client.get(_url(case)), client.get(_url(case) + "?format=pdf")):
        assert response.status_code == 302 and response["Location"].endswith(f"/cases/{case.pk}/")
