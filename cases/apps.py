from django.apps import AppConfig

# What a defender reads (r2dr.languages measures these in each catalogue; a language is offered to the public
# only where they are translated): the public templates, and the top-level names of the modules whose strings
# reach the public pages (the form's steps and choices, the public views' messages, the choice labels shown).
PUBLIC_TEMPLATES = [
    "cases/templates/cases/public_base.html",
    "cases/templates/cases/_mechanisms.html",
    "cases/templates/cases/report_*.html",
    "cases/templates/cases/followup_*.html",
]
PUBLIC_PYTHON = {
    "cases/forms.py": {
        "TaxonomyChoices",
        "YES_NO",
        "AffectedStep",
        "IncidentStep",
        "SinceStep",
        "CONSENT_QUESTIONS",
        "CONSENT_CHOICES",
        "ConsentStep",
        "FollowUpOpenForm",
        "MessageForm",
    },
    "cases/intake_flow.py": {
        "STATUS_HELP",
        "answers_summary",
        "report_post",
        "final_submit",
        "receipt_confirm",
        "followup_post",
        "followup_open",
        "followup_case_page",
        "followup_action",
    },
    "cases/views/_common.py": {"request_uploads"},
    "cases/services/intake.py": {"case_submitter_notify"},
    "cases/models.py": {"PerpetratorKind", "ConsentAnswer"},
    "cases/choices.py": {"Status", "DatePrecision", "AffectedKind", "Gender", "AgeGroup"},
}


class CasesConfig(AppConfig):
    name = "cases"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from cases.services import case_settings_create, officer_key_offboard
        from cases.services.notifications import NOTIFICATION_KINDS
        from cases.tasks import register_schedule
        from r2dr.languages import public_messages_register
        from r2dr.notifications import notification_kind_register
        from r2dr.offboarding import offboarding_step_register
        from r2dr.onboarding import onboarding_step_register

        register_schedule()
        onboarding_step_register(name="cases.settings", step=case_settings_create)
        offboarding_step_register(name="cases.keys", step=officer_key_offboard)
        for kind in NOTIFICATION_KINDS:
            notification_kind_register(kind=kind)
        public_messages_register(templates=PUBLIC_TEMPLATES, python=PUBLIC_PYTHON)
