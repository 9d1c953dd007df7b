"""The door through which what follows a completed course (the certificate) hooks in, without this app knowing it.

`enrolment_completion_check` (training.services.progress) marks an enrolment completed and, once that commits,
calls every callable in `on_completed` with the enrolment. A hook must be idempotent (a completion is announced
once, but a hook may also be re-run by hand) and quick: queue a Celery task with `enrolment.pk` for real work.
`on_erasure` callables run inside the learner's erasure with `institution` and `user`, before their rows go, so
a hook can keep what must stay verifiable (a certificate's name as issued) and drop the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

on_completed: list[Callable[[Any], object]] = []
on_erasure: list[Callable[..., object]] = []


def completed_announce(enrolment: Any) -> None:
    for hook in list(on_completed):
        hook(enrolment)
