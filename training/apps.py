from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "training"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from r2dr.notifications import notification_kind_register
        from r2dr.offboarding import offboarding_step_register
        from training.services.enrolment import enrolments_offboard
        from training.services.reminders import NOTIFICATION_KINDS
        from training.tasks import register_schedule

        register_schedule()
        offboarding_step_register(name="training.enrolments", step=enrolments_offboard)
        for kind in NOTIFICATION_KINDS:
            notification_kind_register(kind=kind)
