from django.apps import AppConfig


class WorkshopsConfig(AppConfig):
    name = "training.workshops"
    label = "workshops"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from r2dr.notifications import notification_kind_register
        from r2dr.offboarding import offboarding_step_register
        from training.workshops.schedule import register_schedule
        from training.workshops.services.feeds import calendar_feeds_offboard
        from training.workshops.services.notify import NOTIFICATION_KINDS

        register_schedule()

        offboarding_step_register(name="workshops.calendar_feeds", step=calendar_feeds_offboard)

        for kind in NOTIFICATION_KINDS:
            notification_kind_register(kind=kind)
