from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class R2drConfig(AppConfig):
    name = "r2dr"
    verbose_name = _("r2dr platform")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from r2dr import checks  # noqa: F401 - registers the deploy checks
