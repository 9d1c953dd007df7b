"""The door through which apps end what a person held through a membership, without `r2dr` importing them.

When a membership ends (a member is removed, or loses one of their roles), everything personal that came with it
must end in the same transaction: the cases app's key grants today, later the tokens, feeds, subscriptions and
roles of other apps. Each app registers its step in `AppConfig.ready()`; `membership_revoke` runs every step
after the membership row is gone, inside its own transaction, so a membership never ends while what it gave
stays usable (a step that raises undoes the removal).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol


class OffboardingStep(Protocol):
    def __call__(self, *, membership: Any, by: Any) -> object: ...


_steps: dict[str, OffboardingStep] = {}


def offboarding_step_register(*, name: str, step: OffboardingStep) -> None:
    """Register `step(membership=..., by=...)` under a stable name (registering twice replaces, so reloads are safe).

    The step receives the ended membership (its row already deleted; `user`, `institution` and `role` are still
    set) and must decide from the user's remaining memberships whether anything of theirs is still entitled."""
    _steps[name] = step


def offboarding_steps() -> list[tuple[str, Callable[..., object]]]:
    return list(_steps.items())


def offboarding_steps_run(*, membership: Any, by: Any) -> None:
    """Run every registered step for an ended membership; the caller holds the transaction."""
    for _name, step in offboarding_steps():
        step(membership=membership, by=by)
