from django.conf import settings
from django.core.checks import Error, Warning, register


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


@register(deploy=True)
def mail_backend_keeps_defenders_out(app_configs, **kwargs):
    """Only r2dr's backends know the defender marker (r2dr/mail.py): any other one sends it to the defender's mail
    provider (tying the address to the case) or, like Django's console and file backends, writes the address and
    the body where logs go."""
    from django.utils.module_loading import import_string

    from r2dr.mail import ConsoleEmailBackend, SMTPEmailBackend

    try:
        backend = import_string(settings.EMAIL_BACKEND)
    except ImportError:
        backend = None
    if isinstance(backend, type) and issubclass(backend, (ConsoleEmailBackend, SMTPEmailBackend)):
        return []
    return [
        Warning(
            f"EMAIL_BACKEND is {settings.EMAIL_BACKEND}, which is not one of r2dr's: e-mails to defenders would "
            "carry the case reference to their mail provider, or their address into a log.",
            hint="Use r2dr.mail.SMTPEmailBackend (production) or r2dr.mail.ConsoleEmailBackend (development), or a "
            "subclass of one of them.",
            id="r2dr.W003",
        )
    ]


@register(deploy=True)
def credential_key_is_set(app_configs, **kwargs):
    """Course credentials signed with a key derived from SECRET_KEY would all stop verifying when that key rotates,
    and anyone who learns SECRET_KEY could sign certificates."""
    if not settings.R2DR_CREDENTIAL_KEY:
        return [
            Error(
                "R2DR_CREDENTIAL_KEY is unset, so course credentials are signed with a key derived from SECRET_KEY.",
                hint="Set R2DR_CREDENTIAL_KEY to 32 random bytes in hex (`openssl rand -hex 32`); list a retired "
                "key's public key in R2DR_CREDENTIAL_OLD_KEYS.",
                id="r2dr.E004",
            )
        ]
    return []
