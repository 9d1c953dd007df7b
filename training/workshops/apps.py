from django.apps import AppConfig


class WorkshopsConfig(AppConfig):
    name = "training.workshops"
    label = "workshops"
    default_auto_field = "django.db.models.BigAutoField"
