"""Fixtures of the reports tests.

`fake_sources` stands in for the indicators and cases selectors with a small,
known data set shaped exactly like their contracts, so dashboard figures can
be checked against values computed independently here. Each fake has the real
selector's signature (test_contracts.py checks it with `inspect.signature`), so
a renamed or changed selector fails fast. Tests against the real selectors live
in test_integration.py.
"""

import datetime
from types import SimpleNamespace

import pytest

from r2dr.models import SubRegion
from reports import sources
from tests.factories import InstitutionFactory


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    from django.core.cache import cache

    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()  # the dashboard caches regional case statistics for a few minutes
    yield
    cache.clear()


AREAS = [
    {"code": "A1", "title": "Legal and institutional framework"},
    {"code": "A2", "title": "Civic space"},
    {"code": "A3", "title": "Protection of defenders"},
]


class FakeSelectors:
    """Implements the selectors reports reads, over a fixed data set; records calls."""

    # The selectors faked here, by the module that owns the real one.
    INDICATORS = (
        "published_cycles",
        "previous_cycle",
        "national_results",
        "cycles_for",
        "cycle_overview",
        "rounds",
        "regional_status_matrix",
        "regional_completeness",
    )
    CASES = ("case_statistics_release", "case_statistics", "open_urgent_case_count", "perpetrator_kinds")

    def __init__(self, a, b, c):
        self.a, self.b, self.c = a, b, c
        self.calls = []
        tz = datetime.UTC
        self.round_2025 = SimpleNamespace(pk=2, id=2, title="Round 2025", year=2025)
        self.round_2024 = SimpleNamespace(pk=1, id=1, title="Round 2024", year=2024)
        self.cycle = SimpleNamespace(
            pk=11,
            title="Monitoring cycle 2025",
            round_id=2,
            status="published",
            period_start=datetime.date(2025, 1, 1),
            period_end=datetime.date(2025, 12, 31),
            due_date=datetime.date(2026, 3, 31),
            published_at=datetime.datetime(2026, 3, 20, 10, tzinfo=tz),
            n_areas=3,
            n_approved=3,
        )
        self.previous = SimpleNamespace(
            pk=10,
            title="Monitoring cycle 2024",
            round_id=1,
            status="published",
            period_end=datetime.date(2024, 12, 31),
            due_date=datetime.date(2025, 3, 31),
            published_at=datetime.datetime(2025, 4, 20, 10, tzinfo=tz),
            n_areas=3,
            n_approved=3,
        )
        self.open_cycle = SimpleNamespace(
            pk=12,
            title="Monitoring cycle 2026",
            status="open",
            due_date=datetime.date(2027, 3, 31),
            n_areas=3,
            n_approved=1,
        )
        self.open_cycle.get_status_display = lambda: "Open"
        self.cycle.get_status_display = lambda: "Published"
        self.previous.get_status_display = lambda: "Published"
        self.results = [
            {
                "code": "A1",
                "title": AREAS[0]["title"],
                "findings": "The law on associations was amended in 2025.",
                "recommendations": "Repeal the registration requirement for informal groups.",
                "indicators": [
                    self._ind("A1.1", "Law recognises defenders", "Yes", "enabling", "Partly", "partly"),
                    self._ind("A1.2", "Registration burden (days)", "120", "restrictive", "30", "enabling"),
                ],
            },
            {
                "code": "A2",
                "title": AREAS[1]["title"],
                "findings": "",
                "recommendations": "",
                "indicators": [self._ind("A2.1", "Assemblies dispersed", "14", "partly", "", None)],
            },
            {
                "code": "A3",
                "title": AREAS[2]["title"],
                "findings": "",
                "recommendations": "",
                "indicators": [self._ind("A3.1", "Protection programme exists", "", "nodata", "", None)],
            },
        ]
        # (key, label, year, count or None if suppressed)
        self.cases = {
            "violation_type": [
                ("detention", "Arbitrary detention", 2024, 12),
                ("detention", "Arbitrary detention", 2025, 15),
                ("threats", "Threats and intimidation", 2024, 9),
                ("threats", "Threats and intimidation", 2025, None),
                ("killing", "Killing", 2025, None),
            ],
            "defender_group": [("journalists", "Journalists", 2024, 8), ("journalists", "Journalists", 2025, 11)],
            "perpetrator_type": [
                ("police", "Police", 2024, 10),
                ("police", "Police", 2025, 14),
                ("corporations", "Companies", 2025, 6),
                ("landowners", "Landowners", 2025, None),
            ],
            "right": [("assembly", "Freedom of peaceful assembly", 2025, 21)],
            "year": [("2024", "2024", 2024, 20), ("2025", "2025", 2025, 25)],
            "country": [("AL", "Aland", 2025, 30), ("BE", "Beland", 2025, 8)],
            "subregion": [
                ("south_east_asia", "South-East Asia", 2024, 19),
                ("south_east_asia", "South-East Asia", 2025, 30),
            ],
        }
        self.matrix_cells = {
            a.pk: {"A1": "enabling", "A2": "partly", "A3": "restrictive"},
            b.pk: {"A1": "partly", "A2": "restrictive", "A3": "restrictive"},
            c.pk: {"A1": "enabling", "A2": "enabling", "A3": "nodata"},
        }
        self.previous_cells = {
            a.pk: {"A1": "partly", "A2": "partly", "A3": "restrictive"},
            b.pk: {"A1": "partly", "A2": "partly", "A3": "restrictive"},
            c.pk: {"A1": "enabling", "A2": "enabling", "A3": "nodata"},
        }
        self.urgent = 7
        self.kinds = {"police": "state", "corporations": "non_state", "landowners": "non_state"}

    @staticmethod
    def _ind(code, title, value, status, previous_value, previous_status):
        return {
            "code": code,
            "title": title,
            "type": "fact",
            "value_display": value,
            "status": status,
            "narrative": f"Narrative of {code}.",
            "sources": [f"Public source for {code}"],
            "computed": None,
            "previous_value_display": previous_value,
            "previous_status": previous_status,
        }

    # indicators ------------------------------------------------------------
    def published_cycles(self, *, institution):
        self.calls.append(("published_cycles", institution.pk))
        return [self.cycle, self.previous] if institution.pk == self.a.pk else []

    def previous_cycle(self, *, cycle):
        return self.previous if cycle.pk == self.cycle.pk else None

    def national_results(self, *, institution, cycle):
        self.calls.append(("national_results", institution.pk, cycle.pk))
        return self.results if cycle.pk == self.cycle.pk else []

    def cycles_for(self, *, institution):
        return [self.open_cycle, self.cycle, self.previous] if institution.pk == self.a.pk else []

    def cycle_overview(self, *, institution, cycle):
        return {"completeness": 0.75, "complete": 3, "total": 4}

    def rounds(self):
        return [self.round_2025, self.round_2024]

    def regional_status_matrix(self, *, round_id=None, subregion=None, country=None):
        self.calls.append(("regional_status_matrix", round_id, subregion, country))
        cells = self.previous_cells if str(round_id) == "1" else self.matrix_cells
        rows = []
        for inst in (self.a, self.b, self.c):
            if subregion and inst.subregion != subregion:
                continue
            if country and country.lower() not in (inst.country.lower(), inst.country_code.lower()):
                continue
            rows.append(
                {
                    "institution": inst,
                    "cycle": self.cycle,
                    "cells": {
                        code: {
                            "status": status,
                            "enabling": int(status == "enabling"),
                            "partly": int(status == "partly"),
                            "restrictive": int(status == "restrictive"),
                            "nodata": int(status == "nodata"),
                        }
                        for code, status in cells[inst.pk].items()
                    },
                }
            )
        return {"areas": AREAS, "rows": rows}

    def regional_completeness(self, *, round_id=None):
        self.calls.append(("regional_completeness", round_id))
        due = datetime.date(2026, 3, 31)
        return [
            {
                "institution": self.a,
                "cycle": self.cycle,
                "completeness": 0.75,
                "submitted_at": self.cycle.published_at,
                "due_date": due,
                "on_time": True,
            },
            {
                "institution": self.b,
                "cycle": self.cycle,
                "completeness": 0.5,
                "submitted_at": None,
                "due_date": due,
                "on_time": None,
            },
        ]

    # cases -----------------------------------------------------------------
    def case_statistics_release(self, *, institution=None, regional=False, min_cell=None):
        """A snapshot of the fake numbers, as the real release is a snapshot of the data."""
        self.calls.append(("case_statistics_release", regional, institution))
        return {group_by: list(rows) for group_by, rows in self.cases.items()}

    def case_statistics(
        self,
        *,
        institution=None,
        date_from=None,
        date_to=None,
        group_by="violation_type",
        regional=False,
        subregion=None,
        country=None,
        min_cell=None,
        release=None,
    ):
        self.calls.append(("case_statistics", group_by, regional, country))
        source = release if release is not None else self.cases
        # As the real release: a date filter selects the whole incident years it covers.
        first = date_from.year if date_from else None
        last = date_to.year if date_to else None
        return [
            {"key": k, "label": label, "year": y, "count": n, "suppressed": n is None}
            for k, label, y, n in source.get(group_by, [])
            if (first is None or y >= first) and (last is None or y <= last)
        ]

    def open_urgent_case_count(self, *, institution):
        return self.urgent

    def perpetrator_kinds(self):
        return self.kinds


@pytest.fixture
def world(db):
    a = InstitutionFactory(
        slug="aland-nhri",
        name="Aland Human Rights Commission",
        short_name="AHRC",
        country="Aland",
        country_code="AL",
        subregion=SubRegion.SOUTH_EAST_ASIA,
    )
    b = InstitutionFactory(
        slug="beland-nhri",
        name="Beland National Commission",
        short_name="BNC",
        country="Beland",
        country_code="BE",
        subregion=SubRegion.SOUTH_ASIA,
    )
    c = InstitutionFactory(
        slug="celand-nhri",
        name="Celand Ombudsman",
        short_name="CO",
        country="Celand",
        country_code="CE",
        subregion=SubRegion.PACIFIC,
    )
    return SimpleNamespace(a=a, b=b, c=c)


@pytest.fixture
def fake_sources(world, monkeypatch):
    fake = FakeSelectors(world.a, world.b, world.c)
    for name in (*FakeSelectors.INDICATORS, *FakeSelectors.CASES):
        monkeypatch.setattr(sources, name, getattr(fake, name))  # raises if reports no longer reads `name`
    return fake
