"""URLs of certificates, wired in r2dr/urls.py like an app's: public verification and credentials at the top
level, the facilitators' pages under training/, the learner's under /<institution-slug>/training/."""

from django.urls import path

from training.certificates import views

urlpatterns = [
    path("verify/<str:code>.json", views.verify_json, name="certificate_verify_json"),
    path("verify/<str:code>/", views.verify_page, name="certificate_verify"),
    path("credentials/issuer.json", views.issuer_profile, name="credential_issuer"),
    path("credentials/status/revocation.jwt", views.status_list, name="credential_status_list"),
    path("training/cohorts/<int:cohort_id>/certificates/", views.certificates_cohort, name="certificates_cohort"),
    path("training/certificates/<int:certificate_id>/revoke/", views.certificate_revoke, name="certificate_revoke"),
]
institution_urlpatterns = [
    path("training/certificates/", views.certificates_mine, name="certificates_mine"),
    path("training/certificates/<int:certificate_id>/certificate.pdf", views.certificate_pdf, name="certificate_pdf"),
    path(
        "training/certificates/<int:certificate_id>/credential.jwt",
        views.certificate_credential,
        name="certificate_credential",
    ),
    path("training/certificates/<int:certificate_id>/public/", views.certificate_public, name="certificate_public"),
    path(
        "training/enrolments/<int:enrolment_id>/modules/<int:module_id>/print.pdf",
        views.module_pdf,
        name="training_module_pdf",
    ),
]
