"""Case search from the inbox: exact reference while locked, words through the blind index while unlocked; results
respect restricted cases and the tenant; one audit entry per search, without the words; the index follows a key
rotation."""

import json
import os
import unicodedata

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases import duplicates, search, selectors, services
from cases.models import Case, CaseWord
from r2dr.roles import Role
from tests.cases.conftest import PASSPHRASE
from tests.cases.helpers import CaseFactory, clone_cases, unlock_client

pytestmark = pytest.mark.django_db

NARRATIVE_ID = "Polisi menangkap aktivis lingkungan di Desa Sukamaju setelah demonstrasi tambang."
NARRATIVE_TH = "ตำรวจจับกุมนักปกป้องสิทธิมนุษยชนที่หมู่บ้านริมแม่น้ำ หลังการประท้วงเหมืองแร่"


def found(response, *cases):
    body = response.content.decode()
    return {c.reference for c in cases if f">{c.reference}<" in body}


def searches(institution):
    return list(selectors.access_entries(institution).filter(action="cases.searched").order_by("seq"))


@pytest.fixture
def desk(client, institution_a, keyed, taxonomy):
    officer, _kit = keyed(institution_a)
    client.force_login(officer)
    indonesian = CaseFactory(institution=institution_a, names="Budi Santoso", narrative=NARRATIVE_ID)
    thai = CaseFactory(institution=institution_a, names="สมชาย ใจดี", narrative=NARRATIVE_TH)
    other = CaseFactory(institution=institution_a, names="Ana Lopez", narrative="Threats by a company guard.")
    return institution_a, officer, indonesian, thai, other


def search_post(client, institution, q):
    return client.post(f"/{institution.slug}/cases/search/", {"q": q})


def test_words_are_normalised_the_same_way_in_the_text_and_the_query():
    assert search.normalise_words("Polisi MENANGKAP, di Jakarta! López") == ["jakarta", "lopez", "menangkap", "polisi"]
    # Thai has no spaces between words: the dictionary cuts the run, so a word inside it is found.
    thai = search.normalise_words(NARRATIVE_TH)
    assert set(search.normalise_words("ตำรวจ หมู่บ้าน")) <= set(thai)
    assert search.normalise_words("ที่ และ di yang the") == []  # only common words
    assert search.as_reference(" c-abc2345 ") == "C-ABC2345" and search.as_reference("SURABAYA") is None


def test_the_word_key_is_the_institutions_and_not_the_name_digests(institution_a, keyed):
    officer, _kit = keyed(institution_a)
    keyring_id, private = services.keyring_unlock(institution=institution_a, user=officer, passphrase=PASSPHRASE)
    word = search.word_digests(private, keyring_id, ["budi"])
    assert word == search.word_digests(private, keyring_id, search.normalise_words("BUDI!"))
    assert word != search.word_digests(b"x" * 32, keyring_id, ["budi"])  # another key cannot test a word
    assert word != search.word_digests(private, keyring_id + 1, ["budi"])  # nor an older keyring's digests
    assert word[0] not in duplicates.digests(private, keyring_id, "budi")[0]  # a word is never a name digest


def test_a_reference_is_found_while_the_keys_are_locked(client, desk):
    institution, _officer, indonesian, thai, _other = desk
    r = search_post(client, institution, indonesian.reference.lower())
    assert r.status_code == 200
    assert found(r, indonesian, thai) == {indonesian.reference}
    assert f'value="{indonesian.reference.lower()}"' in r.content.decode()  # a reference stays in the box
    # The inbox offers the search.
    inbox = client.get(f"/{institution.slug}/cases/").content.decode()
    assert f'action="/{institution.slug}/cases/search/"' in inbox and 'name="q"' in inbox


def test_words_while_locked_are_refused_not_kept_and_unlock_is_offered(client, desk):
    institution, _officer, *_ = desk
    body = search_post(client, institution, "menangkap").content.decode()
    assert "Searching by words needs your case keys unlocked" in body
    assert f"/{institution.slug}/cases/unlock/?next=/{institution.slug}/cases/search/" in body
    assert "menangkap" not in body
    assert searches(institution) == []  # nothing was searched
    # After unlocking, the unlock page's `next` is a page that can be shown.
    r = client.post(
        f"/{institution.slug}/cases/unlock/?next=/{institution.slug}/cases/search/", {"passphrase": PASSPHRASE}
    )
    assert r.status_code == 302 and r["Location"] == f"/{institution.slug}/cases/search/"
    assert client.get(r["Location"]).status_code == 200


def test_an_unlocked_officer_finds_a_case_by_a_word_of_its_narrative_in_indonesian_and_thai(client, desk):
    institution, _officer, indonesian, thai, other = desk
    unlock_client(client, institution)  # indexes every case's words
    assert found(search_post(client, institution, "MENANGKAP"), indonesian, thai, other) == {indonesian.reference}
    assert found(search_post(client, institution, "Sukamaju tambang"), indonesian, thai, other) == {
        indonesian.reference
    }
    assert found(search_post(client, institution, "ตำรวจ"), indonesian, thai, other) == {thai.reference}
    assert found(search_post(client, institution, "เหมืองแร่ หมู่บ้าน"), indonesian, thai, other) == {thai.reference}
    # Every word must appear (AND), and names are words of the account too.
    assert found(search_post(client, institution, "menangkap ตำรวจ"), indonesian, thai, other) == set()
    assert found(search_post(client, institution, "santoso"), indonesian, thai, other) == {indonesian.reference}
    # No digest holds a word in clear.
    assert not CaseWord.objects.for_institution(institution).filter(digest__icontains="polisi").exists()
    r = search_post(client, institution, "di yang")
    assert "common words" in r.content.decode() and found(r, indonesian, thai, other) == set()


def test_a_case_reported_after_the_unlock_is_found(client, desk):
    institution, *_ = desk
    unlock_client(client, institution)
    fresh = CaseFactory(institution=institution, narrative="Intimidasi oleh preman bayaran.")
    assert found(search_post(client, institution, "preman"), fresh) == {fresh.reference}


def test_a_restricted_case_is_not_found_by_an_officer_it_does_not_name(client, desk, make_member):
    institution, officer, indonesian, _thai, _other = desk
    colleague = make_member(institution, Role.CASE_OFFICER, email="colleague@a.example")
    services.case_restrict(case=indonesian, by=officer, officers=[officer])
    unlock_client(client, institution)
    assert found(search_post(client, institution, "menangkap"), indonesian) == {indonesian.reference}
    # The colleague searches with the officer's unlocked session key (keys are not theirs to unlock here): the
    # selector itself keeps the case out, by words and by reference.
    _kr, private = services.keyring_unlock(institution=institution, user=officer, passphrase=PASSPHRASE)
    by_words = services.cases_search(
        institution=institution, user=colleague, query="menangkap", institution_private=private
    )
    by_reference = services.cases_search(
        institution=institution, user=colleague, query=indonesian.reference, institution_private=None
    )
    assert by_words.hits == 0 and by_words.cases == []
    assert by_reference.hits == 0 and by_reference.cases == []


def test_another_institutions_case_is_never_found_even_with_the_same_word(client, desk, institution_b, keyed):
    institution, _officer, indonesian, *_ = desk
    officer_b, _kit = keyed(institution_b, email="officer@b.example")
    theirs = CaseFactory(institution=institution_b, narrative=NARRATIVE_ID)
    _kr, private_b = services.keyring_unlock(institution=institution_b, user=officer_b, passphrase=PASSPHRASE)
    services.case_words_index_pending(institution=institution_b, institution_private=private_b)
    unlock_client(client, institution)
    assert found(search_post(client, institution, "menangkap"), indonesian, theirs) == {indonesian.reference}
    assert found(search_post(client, institution, theirs.reference), theirs) == set()
    # Each institution's key gives the same word another digest: the index does not link across institutions.
    ours = set(CaseWord.objects.for_institution(institution).filter(case=indonesian).values_list("digest", flat=True))
    other = set(CaseWord.objects.for_institution(institution_b).filter(case=theirs).values_list("digest", flat=True))
    assert ours and other and not ours & other


def test_one_audit_entry_per_search_with_its_hit_count_and_never_the_words(client, desk):
    institution, _officer, indonesian, *_ = desk
    unlock_client(client, institution)
    search_post(client, institution, "Polisi Sukamaju")
    search_post(client, institution, indonesian.reference)
    entries = searches(institution)
    assert [(e.detail["by"], e.detail["words"], e.detail["hits"]) for e in entries] == [
        ("words", 2, 1),
        ("reference", 0, 1),
    ]
    assert all(e.actor_id for e in entries)
    logged = json.dumps([e.detail for e in entries]).lower()
    assert "polisi" not in logged and "sukamaju" not in logged
    page = client.get(f"/{institution.slug}/cases/access-log/").content.decode()
    assert "Searched cases" in page and "by 2 words; 1 case found" in page and "by reference; 1 case found" in page


def test_the_index_is_rebuilt_under_the_new_key_after_a_rotation(client, desk, make_member):
    institution, officer, indonesian, *_ = desk
    colleague = make_member(institution, Role.CASE_OFFICER, email="colleague@a.example")
    ckey = services.officer_key_create(institution=institution, user=colleague, passphrase="colleague pass")
    _kr, private = services.keyring_unlock(institution=institution, user=officer, passphrase=PASSPHRASE)
    grant = services.key_grant_create(
        institution=institution, by=officer, institution_private=private, officer_key=ckey
    )
    unlock_client(client, institution)
    # A case whose content does not open (a copy of another's payload) is not re-indexed: its old digest must go all
    # the same.
    (broken,) = clone_cases(indonesian, 1)
    old_keyring = selectors.active_keyring(institution)
    CaseWord.objects.bulk_create([CaseWord(institution=institution, case=broken, keyring=old_keyring, digest="0" * 32)])
    before = set(CaseWord.objects.for_institution(institution).values_list("digest", flat=True))
    r = client.post(f"/{institution.slug}/cases/keys/grants/{grant.pk}/revoke/")
    assert r.status_code == 302
    keyring = selectors.active_keyring(institution)
    words = CaseWord.objects.for_institution(institution)
    # Every digest is under the new keyring: the old ones, which the revoked officer could compute, are gone.
    assert set(words.values_list("keyring_id", flat=True)) == {keyring.pk}
    assert not before & set(words.values_list("digest", flat=True))
    assert set(
        Case.objects.for_institution(institution).exclude(pk=broken.pk).values_list("words_keyring_id", flat=True)
    ) == {keyring.pk}
    assert found(search_post(client, institution, "menangkap"), indonesian) == {indonesian.reference}


def test_search_page_queries_do_not_grow_with_the_hits(client, desk, django_assert_max_num_queries):
    institution, *_ = desk
    unlock_client(client, institution)
    for i in range(30):
        CaseFactory(institution=institution, narrative=f"Penggusuran paksa nomor {i}.", violation_codes=("killing",))
    search_post(client, institution, "penggusuran")  # indexes the new cases
    with CaptureQueriesContext(connection) as one:
        search_post(client, institution, "menangkap")
    assert len(one) <= 24  # session, membership, keyring, the search, the audit entry
    with django_assert_max_num_queries(len(one)):
        r = search_post(client, institution, "penggusuran paksa")
    assert "30 cases have every word." in r.content.decode()


FUZZ = settings(
    max_examples=int(os.environ.get("R2DR_FUZZ_EXAMPLES", "50")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
queries = st.one_of(
    st.text(max_size=80),
    st.text(alphabet=st.characters(min_codepoint=0x0E00, max_codepoint=0x0E7F), max_size=80),
    st.sampled_from(["", " ", "\x00", "C-", "c-0000000", "-", "ที่", "' OR 1=1 --", "a" * 201, "ำ", "\u0e31\u0e31"]),
)


@FUZZ
@given(text=queries)
def test_fuzz_normalise_words_keeps_only_words(text):
    words = search.normalise_words(text)
    assert words == sorted(set(words))
    assert all(len(w) >= search.MIN_LENGTH and w not in search.STOP_WORDS for w in words)
    assert all(unicodedata.category(c)[0] in "LMN" for w in words for c in w)


@FUZZ
@given(q=queries)
def test_fuzz_search_never_fails(client, unlocked_desk, q):
    r = search_post(client, unlocked_desk, q)
    assert r.status_code == 200


@pytest.fixture
def unlocked_desk(client, desk):
    unlock_client(client, desk[0])
    return desk[0]
