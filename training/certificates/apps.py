from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "training.certificates"
    label = "certificates"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from training import completion
        from training.certificates.earned import certificate_earned
        from training.certificates.services import certificates_erase
        from training.certificates.tasks import certificate_issue_queue

        if certificate_issue_queue not in completion.on_completed:
            completion.on_completed.append(certificate_issue_queue)
        if certificates_erase not in completion.on_erasure:
            completion.on_erasure.append(certificates_erase)
        if certificate_earned not in completion.earned:
            completion.earned.append(certificate_earned)
