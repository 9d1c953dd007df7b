"""The door through which what follows a completed course (the certificate) hooks in, without this app knowing it.

`enrolment_completion_check` (training.services.progress) marks an enrolment completed and, once that commits,
calls every callable in `on_completed` with the enrolment. A hook must be idempotent (a completion is announced
once, but a hook may also be re-run by hand) and quick: queue a Celery task with `enrolment.pk` for real work.
`on_erasure` callables run inside the learner's erasure with `institution` and `user`, before their rows go, so
a hook can keep what must stay verifiable (a certificate's name as issued) and drop the rest.
`earned` callables tell the course page what a completed enrolment has earned: each returns an `Earned` (or None
when it has nothing to show for this enrolment), so the page links to it without knowing what it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Earned:
    """Something a completion earned, as the course page shows it: `url` is None while it is still being made
    (a certificate queued for the worker), so the page says so instead of linking to nothing."""

    label: str
    url: str | None
    pending: str = ""


on_completed: list[Callable[[Any], object]] = []
on_erasure: list[Callable[..., object]] = []
earned: list[Callable[[Any], Earned | None]] = []


def completed_announce(enrolment: Any) -> None:
    for hook in list(on_completed):
        hook(enrolment)


def earned_for(enrolment: Any) -> list[Earned]:
    """What the completed `enrolment` earned, from every `earned` hook (nothing before completion)."""
    found = (hook(enrolment) for hook in list(earned))
    return [item for item in found if item is not None]
