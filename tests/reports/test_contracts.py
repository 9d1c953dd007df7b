"""The reports tests' fakes keep to the real selectors' contracts, and reports reads other apps only through them.

A renamed selector breaks `reports.sources` at import; a changed signature fails here, so the fake-based tests
can never pass against a selector that no longer exists or no longer takes what reports passes it."""

import ast
import inspect
from pathlib import Path

import pytest

import cases.selectors
import indicators.selectors
from reports import sources
from tests.reports.conftest import FakeSelectors

OWNERS = [(name, indicators.selectors) for name in FakeSelectors.INDICATORS] + [
    (name, cases.selectors) for name in FakeSelectors.CASES
]


def _parameters(function) -> list[tuple]:
    """(name, kind, default) of each parameter, `self` left out."""
    return [(p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values() if p.name != "self"]


@pytest.mark.parametrize(("name", "module"), OWNERS, ids=[name for name, _m in OWNERS])
def test_every_fake_has_the_real_selectors_signature(name, module):
    real = getattr(module, name, None)
    assert callable(real), f"{module.__name__}.{name} is faked in the reports tests but does not exist"
    assert getattr(sources, name) is real, f"reports.sources.{name} is not {module.__name__}.{name}"
    assert _parameters(getattr(FakeSelectors, name)) == _parameters(real), (
        f"the fake {name} and {module.__name__}.{name} take different parameters"
    )


def test_every_selector_reports_reads_is_faked_or_checked_for_real():
    """A new door in reports.sources gets a fake (or is read only by code tested on the real selectors)."""
    read_for_real = {"case_statistics_version", "published_data_version", "framework_areas"}
    faked = set(FakeSelectors.INDICATORS) | set(FakeSelectors.CASES)
    assert set(sources.__all__) == faked | read_for_real


def test_reports_imports_other_apps_only_through_their_selectors():
    root = Path(sources.__file__).resolve().parent
    offenders = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for module in names:
                app = module.split(".")[0]
                if app in ("cases", "indicators", "training", "grants") and module != f"{app}.selectors":
                    offenders.append(f"{path.relative_to(root)}: {module}")
    assert not offenders
