from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from cases.services import case_settings_create
        from cases.tasks import register_schedule
        from r2dr.onboarding import onboarding_step_register

        register_schedule()
        onboarding_step_register(name="cases.settings", step=case_settings_create)
