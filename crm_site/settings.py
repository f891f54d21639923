"""Settings for the CRM, read from the environment (django-environ; a `.env` file is optional).

Every variable is documented where it is read. Development (`make run`, `make test`) sets
`DEBUG=true`; with DEBUG off the process refuses to start unless the production variables
(`SECRET_KEY`, `ALLOWED_HOSTS`, `DATABASE_URL`) are set.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Mode -------------------------------------------------------------------------------
# DEBUG: true only for development; enables the debug pages and relaxes the checks below.
DEBUG = env.bool("DEBUG", default=False)


def required(name: str, cast=str):
    """Read a variable production cannot run without, naming it if it is missing."""
    value = env.get_value(name, cast=cast, default=None)
    if value in (None, "", []):
        raise ImproperlyConfigured(
            f"The environment variable {name} is required when DEBUG is off "
            f"(see crm_site/settings.py)."
        )
    return value


# --- Security ---------------------------------------------------------------------------
# SECRET_KEY: signs sessions, invitations and public tokens. Required in production.
SECRET_KEY = (
    env("SECRET_KEY", default="dev-insecure-key-only-for-local-development-0123456789abcdef")
    if DEBUG
    else required("SECRET_KEY")
)
# ALLOWED_HOSTS: comma-separated host names served. Required in production.
ALLOWED_HOSTS = (
    env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
    if DEBUG
    else required("ALLOWED_HOSTS", cast=list)
)
# CSRF_TRUSTED_ORIGINS: comma-separated origins (https://crm.example.com) behind a proxy.
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# SECURE_SSL_REDIRECT: redirect http to https (production default on).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# SECURE_HSTS_SECONDS: HSTS max-age in production (default one year).
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Applications -----------------------------------------------------------------------
INSTALLED_APPS = [
    "workspaces.admin_apps.CRMAdminConfig",  # django.contrib.admin, workspace-scoped
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "workspaces",
    "touchpoints",
    "contacts",
    "sales",
    "marketing",
    "service",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "workspaces.middleware.LocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "workspaces.middleware.WorkspaceMiddleware",
]

if not DEBUG:  # whitenoise serves the collected static files in production
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "crm_site.urls"
WSGI_APPLICATION = "crm_site.wsgi.application"
AUTH_USER_MODEL = "workspaces.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "workspaces.context_processors.workspace",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
# DATABASE_URL: postgres://user:pass@host:5432/name in production; SQLite file by default.
DATABASES = {
    "default": env.db(
        "DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'crm.sqlite3'}" if DEBUG else None,
    )
    if DEBUG or env("DATABASE_URL", default="")
    else required("DATABASE_URL")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    # CONN_MAX_AGE: seconds a PostgreSQL connection is reused (0 closes after each request).
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")

# --- Cache ------------------------------------------------------------------------------
# CACHE_URL: redis://127.0.0.1:6379/1 in production (rate limits, sessions); local memory by default.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# --- Passwords --------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and locale ----------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("de", _("German"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"  # storage; pages render in the workspace's time zone

# --- Static and media files -------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# STATIC_ROOT: where collectstatic puts files for whitenoise in production.
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
MEDIA_URL = "/media/"
# MEDIA_ROOT: uploaded files (imports, attachments).
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Email ------------------------------------------------------------------------------
# EMAIL_URL: smtp://user:pass@host:587 (or smtp+tls://) in production; files under var/mail/ otherwise.
if env("EMAIL_URL", default=""):
    _smtp = env.email_url("EMAIL_URL")
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _smtp["EMAIL_HOST"],
                "port": _smtp["EMAIL_PORT"],
                "username": _smtp.get("EMAIL_HOST_USER") or None,
                "password": _smtp.get("EMAIL_HOST_PASSWORD") or None,
                "use_tls": bool(_smtp.get("EMAIL_USE_TLS")),
                "use_ssl": bool(_smtp.get("EMAIL_USE_SSL")),
                "timeout": 20,
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
        }
    }
# DEFAULT_FROM_EMAIL: sender of invitations, password resets and notifications.
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="CRM <crm@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background work (Celery) -----------------------------------------------------------
# CELERY_BROKER_URL: redis://127.0.0.1:6379/0 in production. Empty: tasks run eagerly in-process.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = False  # opt in per idempotent task
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {"*.email.*": {"queue": "email"}, "*.export.*": {"queue": "export"}}
# visibility_timeout must exceed any countdown/eta used by a task (DESIGN.md §6).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 4 * 3600}
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE: dict = {}
CELERY_BEAT_SCHEDULE["activity_reminders_task"] = {
    "task": "sales.activity_reminders",  # fans out one task per workspace with reminders due
    "schedule": 60.0,
}
CELERY_BEAT_SCHEDULE["contacts_jobs_sweep_task"] = {
    "task": "contacts.jobs_sweep",  # re-queues stale imports and exports, per workspace
    "schedule": 300.0,
}

# --- Forms ------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Product settings -------------------------------------------------------------------
# SITE_URL: the public base URL used in links sent by email (invitations), no trailing slash.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# INVITATION_MAX_AGE_DAYS: how long an invitation link stays valid.
INVITATION_MAX_AGE_DAYS = env.int("INVITATION_MAX_AGE_DAYS", default=7)
# SIGNUP_OPEN: whether anyone may sign up and create a workspace.
SIGNUP_OPEN = env.bool("SIGNUP_OPEN", default=True)

# --- Logging ----------------------------------------------------------------------------
# LOG_LEVEL: level of the application loggers (INFO by default).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
