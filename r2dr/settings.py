"""Settings for r2dr, read from the environment.

With no environment at all the platform runs on embedded defaults (a SQLite
file and Celery tasks executed in-process), so `make demo` works on a fresh
machine. `DATABASE_URL` and `CELERY_BROKER_URL` switch to PostgreSQL and Redis;
`R2DR_ENV=production` turns on the hardened settings that `check --deploy`
expects.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

R2DR_ENV = env.str("R2DR_ENV", default="development")
PRODUCTION = R2DR_ENV == "production"

DEBUG = env.bool("DJANGO_DEBUG", default=not PRODUCTION)
# The development key is only ever used without R2DR_ENV=production.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="" if PRODUCTION else "dev-insecure-key-" + "x" * 40)
if PRODUCTION and len(SECRET_KEY) < 50:
    raise environ.ImproperlyConfigured("DJANGO_SECRET_KEY must be set (50+ characters) in production")

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "django_filters",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "r2dr",
    "indicators",
    "cases",
    "training",
    "training.certificates",
    "training.workshops",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "r2dr.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "r2dr.middleware.OfferedLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "r2dr.sessions.SessionLifetimeMiddleware",
    "r2dr.middleware.MFARequiredMiddleware",
    "r2dr.permissions.ScopeMiddleware",
]

ROOT_URLCONF = "r2dr.urls"
WSGI_APPLICATION = "r2dr.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "r2dr.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A busy timeout keeps the demo's in-process Celery and web requests from
    # failing on "database is locked" when they write at the same moment.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORMS_URLFIELD_ASSUME_HTTPS = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = env.list(
    "DJANGO_PASSWORD_HASHERS",
    default=[
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ],
)
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# --- i18n -------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("ar", _("Arabic")),
    ("id", _("Indonesian")),
    ("km", _("Khmer")),
    ("mn", _("Mongolian")),
    ("my", _("Burmese")),
    ("ne", _("Nepali")),
    ("th", _("Thai")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The switcher offers only the languages whose public pages are translated (r2dr.languages); this offers every
# language of LANGUAGES, translated or not, to try a language (and right-to-left layout) before it is done.
R2DR_PREVIEW_LANGUAGES = env.bool("R2DR_PREVIEW_LANGUAGES", default=False)
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# --- static and media -------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Media is never served by URL: reports and evidence are streamed by views
# that check permission first.
MEDIA_ROOT = Path(env.str("R2DR_MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- accounts (allauth) -----------------------------------------------------
SITE_NAME = "r2dr"
LOGIN_URL = "account_login"
# Sign-in lands on the user's workspace (r2dr.accounts.AccountAdapter.get_login_redirect_url); this is the chooser.
LOGIN_REDIRECT_URL = "workspace_choose"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
# Everyone is invited (r2dr.views.invitation_accept): open sign-up is closed in the adapter.
ACCOUNT_ADAPTER = "r2dr.accounts.AccountAdapter"
# Access logs record URL paths: reset and verification secrets are codes typed into a form, never keys in a
# link (allauth's "by code" flows keep the pending state in the session).
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = True
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
# No limit is keyed on the client address: behind the proxy (and over Tor) every client shares one, so a
# per-address limit locks every staff member out at once. Password failures are slowed per account in
# r2dr.accounts.AccountAdapter; "login_failed" here is left for the second-factor step, which allauth keys
# on the user. r2dr.accounts.AccountAdapter.get_client_ip refuses, so a per-"ip" limit added here fails loudly.
ACCOUNT_RATE_LIMITS = {
    "login": None,
    "login_failed": "5/5m/key",
    "signup": None,
    "reset_password": "5/m/key",
    "reset_password_from_key": None,
    "request_login_code": "3/m/key",
    "confirm_email": "1/3m/key",
    "verify_phone": "1/30s/key",
}
MFA_RATE_LIMITS = {"webauthn_login": None}
# The code step says when the next attempt is allowed once allauth's limit refuses one.
MFA_FORMS = {
    "authenticate": "r2dr.accounts.MFAAuthenticateForm",
    "reauthenticate": "r2dr.accounts.MFAReauthenticateForm",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "r2dr"
MFA_RECOVERY_CODE_COUNT = 10

# r2dr's backends keep defenders' addresses out of the console output (the web log) and strip the marker header
# that tells them apart before real sending (r2dr/mail.py).
EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND",
    default="r2dr.mail.SMTPEmailBackend" if PRODUCTION else "r2dr.mail.ConsoleEmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="r2dr <no-reply@r2dr.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Absolute address of the site, for links in scheduled e-mails (escalations, reminders) sent without a request.
R2DR_SITE_URL = env.str("R2DR_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Daily notification digests go out at this hour of each institution's own time zone.
R2DR_NOTIFICATION_DIGEST_HOUR = env.int("R2DR_NOTIFICATION_DIGEST_HOUR", default=7)

# --- cache ------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # Redis first; while it cannot be reached (a timeout of R2DR_CACHE_TIMEOUT_SECONDS), the cache answers from
    # the database and tries Redis again every R2DR_CACHE_RETRY_SECONDS (r2dr/cache.py).
    _cache_timeout = env.float("R2DR_CACHE_TIMEOUT_SECONDS", default=0.5)
    CACHES = {
        "default": {
            "BACKEND": "r2dr.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": _cache_timeout,
                "socket_timeout": _cache_timeout,
                "RETRY_SECONDS": env.float("R2DR_CACHE_RETRY_SECONDS", default=5),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A defender's browser must not keep a dated trace of the public form for a year: the CSRF cookie lives only
# as long as the browser session (no Expires/Max-Age), for everyone, since the public pages are everyone's.
CSRF_COOKIE_AGE = None
# Signed-in sessions end this long after sign-in, however busy (r2dr.sessions.SessionLifetimeMiddleware) ...
R2DR_SESSION_MAX_HOURS = env.float("R2DR_SESSION_MAX_HOURS", default=12)
# ... and after this long without a request.
R2DR_SESSION_IDLE_MINUTES = env.float("R2DR_SESSION_IDLE_MINUTES", default=30)

# --- celery -----------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or "cache+memory://")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
# A report run queued or building with no sign of life for this long is re-queued by the sweep (every
# R2DR_REPORT_SWEEP_SECONDS), at most R2DR_REPORT_MAX_REQUEUES times, then failed; a new request never reuses it.
R2DR_REPORT_STALE_SECONDS = env.int("R2DR_REPORT_STALE_SECONDS", default=10 * 60)
R2DR_REPORT_SWEEP_SECONDS = env.int("R2DR_REPORT_SWEEP_SECONDS", default=60)
R2DR_REPORT_MAX_REQUEUES = 3
# An uploaded image that decodes to more pixels than this is refused at upload (a decompression bomb).
R2DR_CASE_MAX_IMAGE_PIXELS = env.int("R2DR_CASE_MAX_IMAGE_PIXELS", default=50_000_000)

# --- security headers -------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
PERMISSIONS_POLICY = "geolocation=(), camera=(), microphone=(), payment=(), usb=(), interest-cohort=()"

if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$", r"^readyz/$"]

# --- API --------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {"TITLE": "r2dr API", "VERSION": "1", "SERVE_INCLUDE_SCHEMA": False}

# --- logging ----------------------------------------------------------------
# Requests are never logged with client addresses or user agents: the request
# logger is silenced and the error handler uses a filter that strips request
# details (see r2dr.logging).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"scrub": {"()": "r2dr.logging.ScrubRequestFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["scrub"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.server": {"handlers": [], "level": "CRITICAL", "propagate": False},
        "django.security.DisallowedHost": {"handlers": [], "propagate": False},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- r2dr -------------------------------------------------------------------
R2DR_PLATFORM_HOST = env.str("R2DR_PLATFORM_HOST", default="the Asia Pacific Forum of NHRIs (demo host)")
R2DR_INVITATION_DAYS = 7
# Server-side secret of the keyed hash that looks up receipt codes (falls back to SECRET_KEY).
R2DR_RECEIPT_SECRET = env.str("R2DR_RECEIPT_SECRET", default="")
# Course certificates (training.certificates): the Ed25519 seed that signs Open Badges credentials (32 bytes, hex or
# base64url; derived from SECRET_KEY when unset, which `check --deploy` refuses), the public keys (Multikey z6Mk…)
# of retired ones, which stay listed so what they signed still verifies, and the issuer's name on certificates.
R2DR_CREDENTIAL_KEY = env.str("R2DR_CREDENTIAL_KEY", default="")
R2DR_CREDENTIAL_OLD_KEYS = env.list("R2DR_CREDENTIAL_OLD_KEYS", default=[])
R2DR_CERTIFICATE_ISSUER = env.str(
    "R2DR_CERTIFICATE_ISSUER", default="Asia Pacific Forum of National Human Rights Institutions"
)
# Audit checkpoints (r2dr.audit): signed with this key, which must not live in the database (falls back to a
# key derived from SECRET_KEY), and, when the directory is set, appended to <dir>/<institution-slug>.txt there,
# ideally a mount the database host cannot write. `audit_verify` reads the last one from that directory.
R2DR_AUDIT_CHECKPOINT_KEY = env.str("R2DR_AUDIT_CHECKPOINT_KEY", default="")
R2DR_AUDIT_CHECKPOINT_DIR = env.str("R2DR_AUDIT_CHECKPOINT_DIR", default="")
# Argon2id cost for receipt codes and case passphrases (libsodium's "moderate" is 3 passes, 256 MiB; r2dr
# uses 3 passes and 64 MiB so a 2-core server stays responsive under a burst of submissions).
R2DR_KDF_OPSLIMIT = env.int("R2DR_KDF_OPSLIMIT", default=3)
R2DR_KDF_MEMLIMIT = env.int("R2DR_KDF_MEMLIMIT", default=64 * 1024 * 1024)
R2DR_EXTERNAL_NAMESPACE_SCOPES = {"admin": "superuser"}
# Scopes for views that r2dr does not define itself (see r2dr.permissions).
R2DR_EXTERNAL_VIEW_SCOPES = {
    "allauth.": "public",
    "django.views.static": "public",
    "django.views.i18n": "public",
    "drf_spectacular.": "authenticated",
}
