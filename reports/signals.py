"""Drop the precomputed regional case statistics as soon as what an institution shares changes, so a withdrawn
period is never shown from the cache (the next dashboard request rebuilds it)."""

from django.db.models.signals import post_delete, post_save


def _forget(**_kwargs):
    from django.db import transaction

    from reports.selectors import forget_regional_case_release

    forget_regional_case_release()  # now, and again once committed (a request in between may have rebuilt it)
    transaction.on_commit(forget_regional_case_release)


def connect() -> None:
    from django.apps import apps

    if not apps.is_installed("cases"):
        return
    for name in ("StatisticsShare", "CaseSettings"):
        model = apps.get_model("cases", name)
        post_save.connect(_forget, sender=model, dispatch_uid=f"reports-forget-release-{name}-save")
        post_delete.connect(_forget, sender=model, dispatch_uid=f"reports-forget-release-{name}-delete")
