from django.apps import AppConfig


class WorkshopsConfig(AppConfig):
    name = "training.workshops"
    label = "workshops"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from r2dr.notifications import notification_kind_register
        from training.workshops.services.notify import NOTIFICATION_KINDS

        for kind in NOTIFICATION_KINDS:
            notification_kind_register(kind=kind)
