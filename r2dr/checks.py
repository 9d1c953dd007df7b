from django.conf import settings
from django.core.checks import Warning, register


@register(deploy=True)
def shared_cache_in_production(app_configs, **kwargs):
    """Rate limits, abuse counters and case-form state need a cache shared by every worker process."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith("LocMemCache") or backend.endswith("DummyCache"):
        return [
            Warning(
                "The cache is per-process; set REDIS_URL so rate limits and form limits hold across workers.",
                id="r2dr.W001",
            )
        ]
    return []


@register(deploy=True)
def receipt_secret_is_set(app_configs, **kwargs):
    """Without its own secret, the receipt-code lookup hangs on SECRET_KEY, and rotating that key would cut every
    defender off from their case."""
    if not settings.R2DR_RECEIPT_SECRET:
        return [
            Warning(
                "R2DR_RECEIPT_SECRET is unset, so receipt codes depend on SECRET_KEY: rotating it would make "
                "every receipt code unusable.",
                hint="Set R2DR_RECEIPT_SECRET to a long random value of its own and never rotate it.",
                id="r2dr.W002",
            )
        ]
    return []
