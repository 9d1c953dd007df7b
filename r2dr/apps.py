from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from r2dr import checks  # noqa: F401 - registers the deploy checks (they import no model, so this is safe this early)


class R2drConfig(AppConfig):
    name = "r2dr"
    verbose_name = _("r2dr platform")
    default_auto_field = "django.db.models.BigAutoField"
