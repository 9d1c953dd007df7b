"""The Celery app: JSON only, late acknowledgement, retries with backoff.

Without CELERY_BROKER_URL, tasks run in-process (eager), so the demo needs no
Redis. Tasks take ids, never model instances or case plaintext.
"""

import os

from celery import Celery, Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "r2dr.settings")

app = Celery("r2dr")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_time_limit=15 * 60,
    task_soft_time_limit=14 * 60,
    broker_connection_retry_on_startup=True,
    broker_transport_options={"visibility_timeout": 3600},
    task_default_queue="default",
    task_routes={"reports.tasks.*": {"queue": "reports"}},
    result_expires=24 * 3600,
)
app.autodiscover_tasks()


class RetryingTask(Task):
    """Base for r2dr tasks: retried on transient errors with exponential backoff."""

    autoretry_for = (ConnectionError, TimeoutError, OSError)
    retry_backoff = True
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 5


def broker_status(url: str | None = None) -> str:
    if app.conf.task_always_eager:
        return "in-process"
    try:
        with app.connection_for_write(url or app.conf.broker_url) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return type(exc).__name__
