from r2dr.celery import RetryingTask, app
from r2dr.models import Membership


@app.task(base=RetryingTask)
def institution_member_count(institution_id: int) -> int:
    """Count an institution's staff memberships (used to prove the worker reads the database)."""
    return Membership.objects.filter(institution_id=institution_id).exclude(role="trainee").count()
