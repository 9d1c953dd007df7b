"""The door through which apps take part in an institution's onboarding without `r2dr` importing them.

`r2dr` knows no app, yet creating an institution must also create what each app keeps per institution (the
cases app's settings row, for instance). Each app registers its step in `AppConfig.ready()`;
`institution_onboard` runs every step inside its own transaction, so an institution never exists without them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol


class OnboardingStep(Protocol):
    def __call__(self, *, institution: Any, by: Any) -> object: ...


_steps: dict[str, OnboardingStep] = {}


def onboarding_step_register(*, name: str, step: OnboardingStep) -> None:
    """Register `step(institution=..., by=...)` under a stable name (registering twice replaces, so reloads are safe)."""
    _steps[name] = step


def onboarding_steps() -> list[tuple[str, Callable[..., object]]]:
    return list(_steps.items())


def onboarding_steps_run(*, institution: Any, by: Any) -> None:
    """Run every registered step for a new institution; the caller holds the transaction."""
    for _name, step in onboarding_steps():
        step(institution=institution, by=by)
