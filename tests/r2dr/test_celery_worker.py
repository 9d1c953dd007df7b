import pytest

from r2dr.roles import Role
from r2dr.tasks import institution_member_count


@pytest.mark.django_db(transaction=True)
def test_real_worker_reads_the_database(celery_worker, institution_a, institution_b, make_member):
    make_member(institution_a, Role.DATA_OFFICER)
    make_member(institution_a, Role.REVIEWER)
    make_member(institution_b, Role.DATA_OFFICER)
    result = institution_member_count.delay(institution_a.pk)
    assert result.get(timeout=30) == 2
    # The task ran in the worker process, not eagerly in this one.
    assert not result.__class__.__name__.startswith("Eager")


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_an_immediate_notification_e_mail_once(celery_worker, institution_a, make_member):
    """The task travels through Redis with ids only; the worker sends the e-mail and stamps the notification."""
    import time

    from r2dr.models import Notification
    from r2dr.notifications import services as notification_services
    from r2dr.notifications import tasks as notification_tasks

    officer = make_member(institution_a, Role.CASE_OFFICER, email="worker-officer@a.example")
    (notification,) = notification_services.notifications_create(
        institution=institution_a, kind="cases.new_report", recipients=[officer], link="/inst-a/", reference="C-W"
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        notification.refresh_from_db()
        if notification.emailed_at is not None:
            break
        time.sleep(0.2)
    assert notification.emailed_at is not None, "the worker did not send the notification e-mail"
    # Run twice (a redelivery): nothing more is sent.
    again = notification_tasks.notification_emails_send.delay(institution_a.pk, [notification.pk])
    assert again.get(timeout=30) == 0
    assert Notification.objects.for_institution(institution_a).get().emailed_at == notification.emailed_at
