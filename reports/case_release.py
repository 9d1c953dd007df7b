"""The precomputed regional case statistics release (a cache, so writes: services, not selectors).

The regional case statistics are one release (every dimension, filter and year, suppressed jointly) built from a
few aggregations over every shared case: about half a second at 50,000 cases, more than the dashboard's whole
budget. So, as DHIS2 does with its analytics tables, the release is precomputed: Celery beat rebuilds it every
4 minutes, and a dashboard request serves the last release built; one older than CASE_STATISTICS_CACHE_SECONDS is
still served while a refresh is queued (stale-while-revalidate). The cache key holds the cases app's
`case_statistics_version`, so a change to what institutions share (or to the cases that count) is a new key:
withdrawn periods are never served from the cache, and nothing outside reports has to tell reports about it. PDFs
and their data version never use the cache. The release holds codes only, so one copy serves every language and
every filter.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from django.core.cache import cache

from reports import sources
from reports.selectors import REGIONAL_CASE_DIMENSIONS

if TYPE_CHECKING:
    from cases.selectors import Release
    from r2dr.models import Institution

CASE_STATISTICS_CACHE_SECONDS = 300
CASE_RELEASE_KEEP_SECONDS = 24 * 3600
CASE_RELEASE_CACHE_PREFIX = "reports:case-release:regional:v3"
CASE_RELEASE_REFRESH_LOCK = CASE_RELEASE_CACHE_PREFIX + ":refreshing"


def regional_case_release_key() -> str:
    """The cache key of the release of the regional data as it is now."""
    return f"{CASE_RELEASE_CACHE_PREFIX}:{sources.case_statistics_version()}"


def _release_store(key: str, lock: str, build: Callable[[], Release]) -> Release:
    release = build()
    cache.set(key, (time.time(), release), CASE_RELEASE_KEEP_SECONDS)
    cache.delete(lock)
    return release


def _release_serve(key: str, lock: str, build: Callable[[], Release]) -> tuple[Release, bool]:
    """(the release stored under `key`, whether a refresh should be queued). Built inline only on a cache miss; a
    stale release is returned with True once per refresh (the short `lock` keeps a second request from queueing
    another)."""
    if not CASE_STATISTICS_CACHE_SECONDS:
        return build(), False
    entry = cache.get(key)
    if entry is None:
        return _release_store(key, lock, build), False
    built_at, release = entry
    stale = time.time() - built_at > CASE_STATISTICS_CACHE_SECONDS
    return release, stale and cache.add(lock, 1, 120)


def _regional_build() -> Release:
    return sources.case_statistics_release(regional=True)


def regional_case_release_build(*, key: str | None = None) -> Release:
    """Build the regional release and store it under `key` (default: the current data's key)."""
    # The version is read before the release is built: a change committed in between then lands under a newer
    # key, never under the old one.
    return _release_store(key or regional_case_release_key(), CASE_RELEASE_REFRESH_LOCK, _regional_build)


def regional_case_release_get() -> tuple[Release, bool]:
    """(the regional release, whether a refresh should be queued): see _release_serve."""
    return _release_serve(regional_case_release_key(), CASE_RELEASE_REFRESH_LOCK, _regional_build)


def regional_case_statistics_warm() -> int:
    """Refresh the cached regional release (run by Celery beat more often than the cache expires, so regional
    admins rarely wait for the aggregation). Returns the number of tables the release serves unfiltered."""
    regional_case_release_build()
    return len(REGIONAL_CASE_DIMENSIONS)


# The national dashboard's release, precomputed the same way per institution (issue 11: it was rebuilt on every
# request, the slowest page, slowing as cases grew). Its key holds the institution's own statistics version; a
# refresh is queued when it is stale, and the dashboard never builds it twice in a row.
NATIONAL_RELEASE_CACHE_PREFIX = "reports:case-release:national:v1"


def national_case_release_key(*, institution: Institution) -> str:
    return (
        f"{NATIONAL_RELEASE_CACHE_PREFIX}:{institution.pk}:{sources.case_statistics_version(institution=institution)}"
    )


def _national_lock(institution: Institution) -> str:
    return f"{NATIONAL_RELEASE_CACHE_PREFIX}:{institution.pk}:refreshing"


def national_case_release_build(*, institution: Institution) -> Release:
    return _release_store(
        national_case_release_key(institution=institution),
        _national_lock(institution),
        partial(sources.case_statistics_release, institution=institution),
    )


def national_case_release_get(*, institution: Institution) -> tuple[Release, bool]:
    """(the institution's release, whether a refresh should be queued): see _release_serve."""
    return _release_serve(
        national_case_release_key(institution=institution),
        _national_lock(institution),
        partial(sources.case_statistics_release, institution=institution),
    )
