"""The blind word index of cases (cases/search.py) and the officers' case search.

A case's words are indexed under the active keyring by an unlocked officer's request, in batches, like its name
digests: at unlock, after a key rotation, when staff record a case, and (a few at a time) before a word search, so
a report that arrived since the unlock is found too. The index covers the report's account as submitted (names,
organisation, activity, narrative, place, perpetrators, what happened since), which never changes after
submission; contact details are left out."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet

from cases import crypto, search
from cases.models import Case, CaseWord, Keyring
from cases.plaintext import case_key_for_officer, case_private
from cases.selectors import active_keyring, case_with_reference, cases_with_words, cases_words_pending
from cases.services.access_log import access_log_append
from r2dr.models import Institution

logger = logging.getLogger(__name__)

INDEXED_FIELDS = (
    "affected_names",
    "organisation",
    "relationship",
    "activity",
    "narrative",
    "location_detail",
    "perpetrator_detail",
    "actions_taken",
    "authorities_response",
)
SEARCH_INDEXES_PENDING = 50  # before a word search: a fresh report is found, the search stays quick
RESULTS_SHOWN = 100


def case_index_words(*, case: Case, case_key: bytes, institution_private: bytes) -> int:
    """(Re)compute the keyed word digests of a case under the active keyring. Returns the number of digests."""
    keyring = active_keyring(case.institution)
    if keyring is None:
        return 0
    data = case_private(case, case_key)
    words = search.normalise_words("\n".join(str(data.get(name) or "") for name in INDEXED_FIELDS))
    values = search.word_digests(institution_private, keyring.pk, words)
    with transaction.atomic():
        CaseWord.objects.for_institution(case.institution).filter(case=case).delete()
        CaseWord.objects.bulk_create(
            [CaseWord(institution=case.institution, case=case, keyring=keyring, digest=d) for d in values],
            batch_size=1000,
        )
        Case.objects.for_institution(case.institution).filter(pk=case.pk).update(words_keyring_id=keyring.pk)
        case.words_keyring_id = keyring.pk
    return len(values)


def case_words_index_pending(
    *, institution: Institution, institution_private: bytes, limit: int = 500, keyring: Keyring | None = None
) -> int:
    """Index the words of cases not yet indexed under the active keyring (new reports, or all of them after a key
    rotation); digests under an older keyring are deleted first, as a revoked officer may hold that key. Returns
    the number of cases indexed (at most `limit` per call; the rest follow at the next unlock or search).
    `keyring`, when the caller has it, is the active keyring."""
    keyring = keyring or active_keyring(institution)
    if keyring is None:
        return 0
    # By the older keyrings' ids, so the index answers at once when there is nothing to delete (every search).
    older = Keyring.objects.for_institution(institution).exclude(pk=keyring.pk).values("pk")
    CaseWord.objects.for_institution(institution).filter(keyring_id__in=older).delete()
    indexed = 0
    for case in cases_words_pending(institution=institution, keyring=keyring)[:limit]:
        try:
            key = case_key_for_officer(case, institution_private)
            case_index_words(case=case, case_key=key, institution_private=institution_private)
        except crypto.DecryptionError:
            logger.warning("case %s: content does not decrypt; words not indexed", case.pk)
            continue
        indexed += 1
    return indexed


class SearchRefused(Exception):
    """A word search that cannot run."""


class SearchNeedsKeys(SearchRefused):
    """Words are looked up only with the unlocked institution key."""


class NoSearchWords(SearchRefused):
    """The query is no reference and has no word the index holds (too short, or too common)."""


@dataclass
class SearchResult:
    kind: str  # "reference" or "words"
    cases: list[Case]
    hits: int
    words: int = 0
    not_indexed: int = 0  # cases of the institution the word index does not cover yet
    shown: int = field(init=False)

    def __post_init__(self) -> None:
        self.shown = len(self.cases)


def cases_search(
    *, institution: Institution, user: User, query: str, institution_private: bytes | None
) -> SearchResult:
    """The cases this officer may see (`cases_visible_to`) matching `query`: by its exact reference (keys locked
    or not: a reference is not secret), else by every word of it (AND), through the blind index, which needs the
    unlocked institution key. One audit entry per search with its hit count, never the query.

    Raises SearchNeedsKeys for a word search without the key, NoSearchWords for a query with no searchable word."""
    reference = search.as_reference(query)
    if reference is not None:
        found = list(case_with_reference(institution=institution, user=user, reference=reference))
        result = SearchResult(kind="reference", cases=found, hits=len(found))
    else:
        words = search.normalise_words(query)
        keyring = active_keyring(institution)
        if institution_private is None or keyring is None:
            raise SearchNeedsKeys()
        if not words:
            raise NoSearchWords()
        case_words_index_pending(
            institution=institution,
            institution_private=institution_private,
            limit=SEARCH_INDEXES_PENDING,
            keyring=keyring,
        )
        matching: QuerySet = cases_with_words(
            institution=institution,
            user=user,
            keyring=keyring,
            digests=search.word_digests(institution_private, keyring.pk, words),
        )
        hits = matching.count()
        result = SearchResult(
            kind="words",
            cases=list(matching[:RESULTS_SHOWN]) if hits else [],
            hits=hits,
            words=len(words),
            not_indexed=cases_words_pending(institution=institution, keyring=keyring).count(),
        )
    access_log_append(
        institution=institution,
        user=user,
        action="searched",
        object_type="case_search",
        data={"by": result.kind, "words": result.words, "hits": result.hits},
    )
    return result
