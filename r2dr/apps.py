from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from r2dr import checks  # noqa: F401 - registers the deploy checks (they import no model, so this is safe this early)


class R2drConfig(AppConfig):
    name = "r2dr"
    verbose_name = _("r2dr platform")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Models are loaded only now: the sign-in hook that stamps a session's start, and the beat schedule.
        from r2dr import sessions  # noqa: F401
        from r2dr.notifications.services import notifications_offboard
        from r2dr.offboarding import offboarding_step_register
        from r2dr.tasks import register_schedule

        register_schedule()
        offboarding_step_register(name="r2dr.notifications", step=notifications_offboard)
