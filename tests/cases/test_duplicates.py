"""Duplicate suggestions from keyed name digests and clear fields; linking and marking duplicates."""

import datetime

import factory
import pytest

from cases import duplicates, selectors, services
from cases.models import Case, CaseLink, NameDigest
from tests.cases.conftest import PASSPHRASE
from tests.cases.helpers import CaseFactory, unlock_client

pytestmark = pytest.mark.django_db
D = datetime.date


class ReportedCase(CaseFactory):
    class Params:
        date = D(2025, 3, 1)
        violation_codes = ("judicial-harassment",)

    clear__perpetrator_kind = "state"
    consent_wording = factory.Dict({})


def test_normalisation():
    assert duplicates.normalise_names("Ana María LÓPEZ, Budi") == ["ana lopez maria", "budi"]
    assert duplicates.normalise_names("López  Ana-María") == duplicates.normalise_names("ana maria lopez")
    assert duplicates.normalise_names("Siti and Budi") == ["budi", "siti"]


def test_digests_need_the_private_key(institution_a, keyed, taxonomy):
    officer, _kit = keyed(institution_a)
    _kr, private = services.keyring_unlock(institution=institution_a, user=officer, passphrase=PASSPHRASE)
    one = duplicates.digests(private, 1, "Ana Lopez")
    assert one == duplicates.digests(private, 1, "LOPEZ  ana!")
    assert one != duplicates.digests(b"x" * 32, 1, "Ana Lopez")  # another key cannot test a name
    assert "ana" not in one[0]


@pytest.fixture
def fixture_cases(client, institution_a, keyed, taxonomy):
    officer, _kit = keyed(institution_a)
    main = ReportedCase(institution=institution_a, names="Ana María López")
    same_name_elsewhere = ReportedCase(
        institution=institution_a,
        names="LOPEZ Ana Maria",
        date=D(2019, 1, 1),
        country="ID",
        violation_codes=("killing",),
    )
    similar_nearby = ReportedCase(institution=institution_a, names="Ana Maria Lopes", date=D(2025, 4, 15))
    other_nearby = ReportedCase(institution=institution_a, names="Budi Santoso", date=D(2025, 2, 1))
    far_away = ReportedCase(institution=institution_a, names="Someone Else", date=D(2025, 3, 1), country="ID")
    later = ReportedCase(institution=institution_a, names="Ana López", date=D(2025, 12, 30))
    client.force_login(officer)
    unlock_client(client, institution_a)
    for c in Case.objects.for_institution(institution_a):
        client.get(f"/{institution_a.slug}/cases/{c.pk}/")  # opening a case reads; unlocking indexed the names
    return institution_a, officer, main, same_name_elsewhere, similar_nearby, other_nearby, far_away, later


def test_suggestions_on_a_fixture(client, fixture_cases):
    institution, officer, main, same_name, similar, other, far, later = fixture_cases
    assert NameDigest.objects.for_institution(institution).filter(case=main).count() == 1
    assert not NameDigest.objects.for_institution(institution).filter(digest__icontains="ana").exists()
    # The same name six years apart is not a duplicate but the same defender attacked again: unlocking the keys
    # indexed every case, and that one was linked as a repeat attack (so it is no longer a suggestion).
    repeat = CaseLink.objects.for_institution(institution).get(kind=CaseLink.Kind.REPEAT)
    assert {repeat.case_id, repeat.other_id} == {main.pk, same_name.pk}
    rows = {r["case"].pk: r for r in selectors.duplicate_candidates(case=main, user=officer)}
    assert set(rows) == {similar.pk, other.pk}
    assert not rows[similar.pk]["same_name"]
    CaseLink.objects.for_institution(institution).filter(pk=repeat.pk).delete()
    rows = {r["case"].pk: r for r in selectors.duplicate_candidates(case=main, user=officer)}
    assert set(rows) == {same_name.pk, similar.pk, other.pk} and rows[same_name.pk]["same_name"]
    body = client.get(f"/{institution.slug}/cases/{main.pk}/").content.decode()
    assert same_name.reference in body and "similar name" in body
    assert far.reference not in body and later.reference not in body


def test_link_and_mark_duplicate_keeps_everything_and_leaves_statistics(client, fixture_cases):
    institution, officer, main, same_name, similar, *_rest = fixture_cases
    before = sum(
        r["count"] or 0 for r in selectors.case_statistics(institution=institution, group_by="year", min_cell=1)
    )
    r = client.post(f"/{institution.slug}/cases/{similar.pk}/link/", {"other": main.reference, "kind": "duplicate"})
    assert r.status_code == 302
    similar.refresh_from_db()
    assert similar.duplicate_of == main
    assert Case.objects.for_institution(institution).filter(pk=similar.pk).exists()  # nothing deleted
    after = sum(
        r["count"] or 0 for r in selectors.case_statistics(institution=institution, group_by="year", min_cell=1)
    )
    assert after == before - 1
    client.post(f"/{institution.slug}/cases/{main.pk}/link/", {"other": same_name.reference, "kind": "related"})
    # The same name six years apart had been linked automatically as a repeat attack; the officer's choice
    # ("related") replaces that label rather than adding a second link.
    links = CaseLink.objects.for_institution(institution)
    assert sorted(links.values_list("kind", flat=True)) == ["duplicate", "related"]
    assert "cases.linked.duplicate" in set(selectors.access_entries(institution).values_list("action", flat=True))
    # Linked cases are no longer suggested.
    assert same_name.pk not in {r["case"].pk for r in selectors.duplicate_candidates(case=main, user=officer)}


def test_cannot_link_to_another_institutions_case(client, fixture_cases, institution_b, keyed):
    institution, _officer, main, *_rest = fixture_cases
    keyed(institution_b, email="b@b.example")
    b_case = ReportedCase(institution=institution_b, names="Ana María López")
    client.post(f"/{institution.slug}/cases/{main.pk}/link/", {"other": b_case.reference, "kind": "related"})
    assert not CaseLink.objects.for_institution(institution).exclude(kind=CaseLink.Kind.REPEAT).exists()
    assert not CaseLink.objects.for_institution(institution).filter(other=b_case).exists()
