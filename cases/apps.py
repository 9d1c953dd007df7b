from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from cases.services import case_settings_create, officer_key_offboard
        from cases.services.notifications import NOTIFICATION_KINDS
        from cases.tasks import register_schedule
        from r2dr.notifications import notification_kind_register
        from r2dr.offboarding import offboarding_step_register
        from r2dr.onboarding import onboarding_step_register

        register_schedule()
        onboarding_step_register(name="cases.settings", step=case_settings_create)
        offboarding_step_register(name="cases.keys", step=officer_key_offboard)
        for kind in NOTIFICATION_KINDS:
            notification_kind_register(kind=kind)
