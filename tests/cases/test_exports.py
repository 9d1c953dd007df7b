"""UN communication drafts and CSV exports honour verification and the consents in force."""

import csv
import io

import pytest

from cases import plaintext, selectors, services
from cases.models import DefenderGroup, Status, ViolationType
from tests.cases.helpers import CaseFactory, unlock_client, walk_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def verified(client, institution_a, keyed, taxonomy):
    from tests.cases.conftest import PASSPHRASE

    officer, _kit = keyed(institution_a)
    case = CaseFactory(institution=institution_a, names="CANARY Defender", un_named=True)  # UN consent: yes, with names
    _kr, private = services.keyring_unlock(institution=institution_a, user=officer, passphrase=PASSPHRASE)
    key = plaintext.case_key_for_officer(case, private)
    client.force_login(officer)
    return institution_a, officer, case, key


def test_un_communication_needs_verification_and_consent(client, verified):
    institution, officer, case, key = verified
    unlock_client(client, institution)
    url = f"/{institution.slug}/cases/{case.pk}/un-communication/"
    r = client.get(url, follow=True)
    assert "Only a verified case" in r.content.decode()
    case = walk_to(case, key, officer, Status.ACTION)
    body = client.get(url).content.decode()
    for element in ("1. Alleged victim", "2. Alleged perpetrator", "3. Human rights activity", "4. The incident", "5. Action taken"):  # fmt: skip
        assert element in body
    assert "CANARY Defender" in body
    pdf = client.get(url + "?format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # Without names: pseudonym, details withheld.
    services.consent_change(case=case, kind="un", answer="yes_anonymised", wording="w", language="en")
    body = client.get(url).content.decode()
    assert "CANARY" not in body and f"the defender of case {case.reference}" in body and "withheld" in body
    # Consent withdrawn: refused.
    services.consent_change(case=case, kind="un", answer="no", wording="w", language="en")
    r = client.get(url)
    assert r.status_code == 302 and r["Location"].endswith(f"/cases/{case.pk}/")
    assert "has not agreed" in client.get(r["Location"]).content.decode()
    actions = set(selectors.access_entries(institution).values_list("action", flat=True))
    assert {"cases.export.un_communication", "cases.export.un_communication.pdf"} <= actions


def _rows(response):
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_csv_pseudonyms_unless_unlocked_and_consented(client, verified):
    institution, _officer, case, _key = verified
    services.consent_change(case=case, kind="un", answer="yes_named", wording="w", language="en")
    url = f"/{institution.slug}/cases/export.csv"
    rows = _rows(client.get(url + "?identities=1"))  # locked: no names
    assert rows[0]["Person"] == f"the defender of case {case.reference}"
    unlock_client(client, institution)
    assert _rows(client.get(url))[0]["Person"].startswith("the defender")  # names not asked for
    assert _rows(client.get(url + "?identities=1"))[0]["Person"] == "CANARY Defender"
    # Consent revocation is honoured by the next export.
    services.consent_change(case=case, kind="un", answer="no", wording="w", language="en")
    rows = _rows(client.get(url + "?identities=1"))
    assert (
        rows[0]["Person"].startswith("the defender")
        and "CANARY" not in client.get(url + "?identities=1").content.decode()
    )
    assert "cases.export.csv" in set(selectors.access_entries(institution).values_list("action", flat=True))


def test_csv_query_count_constant(client, verified, django_assert_max_num_queries):
    from tests.cases.helpers import clone_cases

    institution, _officer, case, _key = verified
    clone_cases(case, 500)
    with django_assert_max_num_queries(20):
        r = client.get(f"/{institution.slug}/cases/export.csv")
    assert len(_rows(r)) == 501


def test_csv_reads_in_words_with_one_date_format(client, verified, settings):
    """Labels where people read them, in the reader's language; every time in ISO 8601 with its offset."""
    import datetime
    import re

    from cases.models import Case

    institution, _officer, case, _key = verified
    institution.time_zone = "Asia/Bangkok"
    institution.save()
    Case.objects.for_institution(institution).filter(pk=case.pk).update(
        incident_date=datetime.date(2025, 3, 1), incident_date_precision="month"
    )
    case.violation_types.set([ViolationType.objects.get(code="judicial-harassment")])
    case.defender_groups.set([DefenderGroup.objects.get(code="journalists")])
    response = client.get(f"/{institution.slug}/cases/export.csv")
    assert response.content.startswith("\ufeff".encode())  # spreadsheets read it as UTF-8
    [row] = _rows(response)
    assert list(row) == [
        "Reference", "Person", "Status", "Outcome", "Urgency", "Received", "Incident date", "Country",
        "Violations", "Defender groups", "Perpetrators", "Verified",
    ]  # fmt: skip
    assert row["Status"] == "Received" and row["Urgency"] == "Routine" and row["Verified"] == "No"
    assert row["Violations"] == "Judicial harassment or criminalisation"
    assert row["Defender groups"] == "Journalists and media workers"
    assert row["Country"] == institution.country and row["Perpetrators"] == "Unknown"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", row["Received"]), row["Received"]
    assert row["Incident date"] == "2025-03"

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    heading, row = csv.reader(io.StringIO(client.get(f"/{institution.slug}/cases/export.csv").content.decode()))
    assert heading[2] == "Status" and row[2] == "Diterima"  # "Status" is Indonesian too
    assert row[8] == "Pelecehan yudisial atau kriminalisasi" and row[11] == "Tidak"
