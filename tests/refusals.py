"""Refusals that can fail: a refused request answers as expected and leaves every row of the project's apps, the
mail outbox and the on-commit queue (mail, Celery) as they were. A status code alone passes when the view refuses
after it has written."""

from contextlib import contextmanager

from django.apps import apps
from django.core import mail
from django.test import TestCase

PROJECT_APPS = ("r2dr", "cases", "indicators", "reports", "training", "grants")


def everything():
    """Every row of every model of the project's apps, unscoped (the base manager), in a stable order."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS
    }


@contextmanager
def nothing_changes():
    before, sent = everything(), len(mail.outbox)
    with TestCase.captureOnCommitCallbacks() as queued:
        yield
    assert not queued, "a refused request queued work for after the commit"
    assert len(mail.outbox) == sent, "a refused request sent mail"
    after = everything()
    assert not [label for label in before if before[label] != after[label]], "a refused request changed rows"


def refused_request(request, path, data=None, *, status=(403, 404)):
    """`request(path[, data])` (a test client's get or post) answers one of `status` and changes nothing."""
    statuses = (status,) if isinstance(status, int) else tuple(status)
    with nothing_changes():
        response = request(path) if data is None else request(path, data)
    assert response.status_code in statuses, (path, response.status_code)
    return response
