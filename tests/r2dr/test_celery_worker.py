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
