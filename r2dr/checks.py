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
