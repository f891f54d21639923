"""Settings for the CRM, read from the environment (django-environ; a `.env` file is optional).

Every variable is documented where it is read. Development (`make run`, `make test`) sets
`DEBUG=true` and runs embedded: SQLite, tasks inside the request, mail to files, a per-process
cache, uploads under var/media. With DEBUG off the process refuses to start, naming every
missing variable at once, unless the production ones are set:

| variable | production | development default |
|---|---|---|
| SECRET_KEY | required | a fixed insecure key |
| ALLOWED_HOSTS | required (host names, comma-separated) | 127.0.0.1, localhost, testserver |
| DATABASE_URL | required (postgres://…) | SQLite under var/ |
| SITE_URL | required (https://crm.example.com: the base of links in mail) | http://127.0.0.1:8000 (`make run`: its PORT) |
| CELERY_BROKER_URL | required (redis://…) or EMBEDDED=true | empty: tasks run in the request |
| EMAIL_URL | required (smtp://user:pass@host:587) or EMBEDDED=true | files under var/mail/ |
| CACHE_URL | required, shared by all processes (redis://…) or EMBEDDED=true | per-process memory |
| MEDIA_STORAGE | required: `filesystem` (MEDIA_ROOT, shared by web and workers) or `s3` (S3_* below) or EMBEDDED=true | filesystem under var/media/ |
| EMBEDDED | `true` runs what is missing of the four above inside the web process, with a warning naming each | ignored |
| S3_BUCKET, S3_ENDPOINT_URL, S3_REGION, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_ADDRESSING_STYLE | with MEDIA_STORAGE=s3 (S3_BUCKET required) | unused |
| SECURE_PROXY_SSL_HEADER | header a TLS-terminating proxy sets to `https` (default X-Forwarded-Proto; empty: no proxy) | same |
| CSRF_TRUSTED_ORIGINS, SECURE_SSL_REDIRECT, SECURE_HSTS_SECONDS, CONN_MAX_AGE, STATIC_ROOT, MEDIA_ROOT, DEFAULT_FROM_EMAIL, INVITATION_MAX_AGE_DAYS, CALENDAR_UID_DOMAIN, SIGNUP_OPEN, LOG_LEVEL | optional | |
"""

import logging
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Mode -------------------------------------------------------------------------------
# DEBUG: true only for development; enables the debug pages and relaxes the checks below.
DEBUG = env.bool("DEBUG", default=False)
# EMBEDDED: with DEBUG off, `true` lets production run without a broker, SMTP, a shared cache
# or a storage backend; each part that then runs inside the web process is logged as a warning.
EMBEDDED = env.bool("EMBEDDED", default=False)

_problems: list[str] = []  # what production lacks; all named together at the end of this file
_embedded: list[str] = []  # what runs embedded under EMBEDDED=true; logged at the end


def required(name: str, cast=str, *, fallback=None):
    """Read a variable production cannot run without. With DEBUG off and `name` unset, the
    refusal at the end of this file names it; `fallback` stands in until then."""
    value = env.get_value(name, cast=cast, default=None)
    if value in (None, "", []):
        _problems.append(f"The environment variable {name} is required when DEBUG is off.")
        return fallback
    return value


def embeddable(name: str, *, needed: str, embedded: str) -> str:
    """Read the URL of a service production needs (`needed` says what for). With DEBUG off and
    `name` unset it is required, unless EMBEDDED=true, which runs `embedded` in its place and
    logs that. Returns the value ("" when unset)."""
    value = env(name, default="")
    if value or DEBUG:
        return value
    if EMBEDDED:
        _embedded.append(f"{embedded} ({name} is not set)")
    else:
        _problems.append(
            f"The environment variable {name} is required when DEBUG is off: {needed}. "
            f"Or set EMBEDDED=true to accept that {embedded}."
        )
    return value


# --- Security ---------------------------------------------------------------------------
# SECRET_KEY: signs sessions, invitations and public tokens. Required in production.
SECRET_KEY = (
    env("SECRET_KEY", default="dev-insecure-key-only-for-local-development-0123456789abcdef")
    if DEBUG
    else required("SECRET_KEY", fallback="")
)
# ALLOWED_HOSTS: comma-separated host names served. Required in production.
ALLOWED_HOSTS = (
    env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
    if DEBUG
    else required("ALLOWED_HOSTS", cast=list, fallback=[])
)
# CSRF_TRUSTED_ORIGINS: comma-separated origins (https://crm.example.com) behind a proxy.
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# SECURE_SSL_REDIRECT: redirect http to https (production default on).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# SECURE_HSTS_SECONDS: HSTS max-age in production (default one year).
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
# SECURE_PROXY_SSL_HEADER: the header a TLS-terminating proxy sets to "https" (default
# X-Forwarded-Proto). The proxy must overwrite it on every request; empty when no proxy is in front.
_proxy_header = env("SECURE_PROXY_SSL_HEADER", default="X-Forwarded-Proto").strip()
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + _proxy_header.upper().replace("-", "_"), "https") if _proxy_header else None
)
# Load balancers probe these over plain HTTP on the app port: no redirect to https.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# Cookies: Secure (https only) in production; the session cookie is never readable by scripts
# and is not sent on cross-site subrequests (Lax keeps links from mail working). The CSRF cookie
# stays readable by scripts (htmx sends it as X-CSRFToken from the page; Django's default).
SESSION_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SAMESITE = "Lax"
# SESSION_COOKIE_AGE: seconds a session lasts without a new login (default 14 days; "remember
# me" is always on, ACCOUNT_SESSION_REMEMBER below). A password change ends every other session.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=14 * 24 * 3600)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Permissions-Policy (django-permissions-policy): browser features no page of ours uses are off
# for the site and anything it could embed; full screen (the wallboard) and clipboard writes
# (copying a webhook secret) stay allowed for our own pages.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "camera": [],
    "display-capture": [],
    "encrypted-media": [],
    "fullscreen": ["self"],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "publickey-credentials-get": [],
    "screen-wake-lock": [],
    "usb": [],
    "xr-spatial-tracking": [],
}
# Content Security Policy (Django's own middleware): scripts only from our static files or
# carrying the per-response nonce (`nonce="{{ csp_nonce }}"`); no 'unsafe-inline', no
# 'unsafe-eval' for scripts, no plugins, no framing, forms post only to this site. Styles allow
# inline `style` attributes (progress bars, chart sizes, Swagger UI): scripts are the point.
# img-src allows data: (Bootstrap's and Swagger UI's inline icons).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

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
    "allauth",  # accounts: login throttling, email verification, no account enumeration
    "allauth.account",
    "allauth.mfa",  # two-factor sign-in: TOTP authenticator apps and recovery codes
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI assets served from our static files, no CDN
    "workspaces",
    "touchpoints",
    "contacts",
    "sales",
    "marketing",
    "service",
    "scoring",
    "callcentre",
    "journeys",
    "warehouse",
    "api",
    "webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "workspaces.middleware.LocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "workspaces.middleware.WorkspaceMiddleware",
    "workspaces.middleware.TwoFactorRequiredMiddleware",  # after the workspace is known
]

if not DEBUG:  # whitenoise serves the collected static files in production
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "crm_site.urls"
WSGI_APPLICATION = "crm_site.wsgi.application"
AUTH_USER_MODEL = "workspaces.User"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",  # csp_nonce for inline scripts
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
#   On PostgreSQL this is the application's role: no superuser, no BYPASSRLS, owning no table,
#   so the row-level security policies hold it (README "Row-level security").
# DATABASE_MIGRATION_URL: postgres://owner:pass@host:5432/name, the role that owns the tables
#   and runs `migrate` (which then grants DATABASE_URL's role its data rights); the database
#   name is DATABASE_URL's. Empty: `migrate` connects as DATABASE_URL's role (development).
DATABASES = {
    "default": env.db_url_config(
        env("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'crm.sqlite3'}")
        if DEBUG
        else required("DATABASE_URL", fallback="sqlite://:memory:")
    )
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
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if IS_POSTGRES:
    # Django's backend plus the scope -> app.workspace_id sync the policies read.
    DATABASES["default"]["ENGINE"] = "workspaces.db.postgresql"
    if _migration_url := env("DATABASE_MIGRATION_URL", default=""):
        DATABASES["default"]["MIGRATION"] = env.db_url_config(_migration_url)
# DATABASE_REPLICA_URL: postgres://app:pass@replica-host:5432/name, a streaming replica of the
#   default database, connected as the same application role: analyses, reports, KPIs and
#   exports read from it (workspaces.db.router, docs/SCALING.md). Empty: no `replica` alias.
if _replica_url := env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {
        **env.db_url_config(_replica_url),
        **{
            k: v
            for k, v in DATABASES["default"].items()
            if k in ("ENGINE", "CONN_MAX_AGE", "CONN_HEALTH_CHECKS")
        },
        "TEST": {"MIRROR": "default"},  # tests: the same test database, a second connection
    }
    DATABASE_ROUTERS = ["workspaces.db.router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------------
# CACHE_URL: redis://127.0.0.1:6379/1 in production, shared by every process (rate limits count
# there); per-process memory in development.
_cache_url = embeddable(
    "CACHE_URL",
    needed="a cache shared by all processes (redis://…), where rate limits count",
    embedded="the cache, where rate limits count, is per process",
)
if _cache_url.split(":", 1)[0] in ("locmemcache", "dummycache") and not (DEBUG or EMBEDDED):
    _problems.append(
        f"CACHE_URL={_cache_url} is one cache per process: production needs one shared by all "
        "processes (redis://…). Or set EMBEDDED=true to run with it."
    )
CACHES = {"default": env.cache_url_config(_cache_url or "locmemcache://")}

# --- Accounts (django-allauth: our sign-up, invitations and templates on top) --------------
ACCOUNT_ADAPTER = "workspaces.account_adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "workspaces.account_forms.SignupForm"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
# An account is usable only once its address is verified (a link by mail); sign-up, login and
# password reset answer the same whether or not an address has an account.
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False  # a reset for an unknown address sends nothing
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "CRM: "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# Rates per client address ("ip", see TRUSTED_PROXY_COUNT) and per login email ("key"), counted
# in the shared cache (CACHE_URL). Failed logins: 20 per address and 5 per account in 15 minutes.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "20/15m/ip,5/15m/key",
    "login": "60/m/ip",
    "signup": "10/10m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
# TRUSTED_PROXY_COUNT: reverse proxies in front of the app that append the client address to
# X-Forwarded-For (1 for one nginx or load balancer). 0 (default): the connecting address is
# the client and X-Forwarded-For is ignored. Used for every rate limit (workspaces.client_address).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Two-factor sign-in (allauth.mfa): authenticator apps (TOTP, RFC 6238: 6 digits, 30 s) and
# ten single-use recovery codes. A workspace can require it of its members
# (Workspace.two_factor_required, workspaces.middleware.TwoFactorRequiredMiddleware).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", default="CRM")
MFA_RECOVERY_CODE_COUNT = 10

# --- Passwords --------------------------------------------------------------------------
# Argon2id first: new passwords and every older hash are stored with it at the next login
# (Django rehashes on a successful check). The others only read hashes made before.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
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
# MEDIA_ROOT: uploaded files (imports) with MEDIA_STORAGE=filesystem; var/media by default.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# MEDIA_STORAGE: where uploads live. `filesystem` (MEDIA_ROOT; web and workers must share it, e.g.
# one volume on one host) or `s3` (any S3-compatible object store: AWS S3, MinIO, Cloudflare R2,
# Backblaze B2, …; README "Running in production"). Required in production (or EMBEDDED=true).
MEDIA_STORAGE = (
    embeddable(
        "MEDIA_STORAGE",
        needed="where uploads are stored (filesystem with a MEDIA_ROOT every web and worker "
        "process shares, or s3)",
        embedded=f"uploads stay on this node's disk under {MEDIA_ROOT}",
    )
    or "filesystem"
)
if MEDIA_STORAGE == "s3":
    # S3_BUCKET (required with s3); S3_ENDPOINT_URL for non-AWS hosts (https://<account>.r2.
    # cloudflarestorage.com, http://minio:9000); S3_REGION (e.g. eu-central-1, "auto" on R2);
    # S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY (unset: boto3's own chain, e.g. an instance role);
    # S3_ADDRESSING_STYLE: "path" for MinIO, else "virtual"/"auto". Files stay private: links
    # to them are signed and expire.
    _media_backend = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("S3_BUCKET", default=""),
            "endpoint_url": env("S3_ENDPOINT_URL", default="") or None,
            "region_name": env("S3_REGION", default="") or None,
            "access_key": env("S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env("S3_SECRET_ACCESS_KEY", default="") or None,
            "addressing_style": env("S3_ADDRESSING_STYLE", default="") or None,
            "default_acl": None,
            "querystring_auth": True,
            "signature_version": "s3v4",  # signed links that every region and host accepts
            "file_overwrite": False,
        },
    }
    if not _media_backend["OPTIONS"]["bucket_name"]:
        _problems.append("The environment variable S3_BUCKET is required with MEDIA_STORAGE=s3.")
elif MEDIA_STORAGE == "filesystem":
    _media_backend = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    _problems.append(f"MEDIA_STORAGE={MEDIA_STORAGE} is unknown: use filesystem or s3.")
    _media_backend = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _media_backend,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Email ------------------------------------------------------------------------------
# EMAIL_URL: smtp://user:pass@host:587 (or smtp+tls://) in production; files under var/mail/ otherwise.
_email_url = embeddable(
    "EMAIL_URL",
    needed="the SMTP server that sends invitations, resets and reminders (smtp://user:pass@host:587)",
    embedded=f"mail is written to files under {VAR_DIR / 'mail'} instead of sent",
)
if _email_url:
    _smtp = env.email_url_config(_email_url)
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
CELERY_BROKER_URL = embeddable(
    "CELERY_BROKER_URL",
    needed="the broker of background tasks (redis://…), consumed by `celery worker`",
    embedded="background tasks (imports, mail, reminders) run inside web requests",
)
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
# Campaign sending (marketing.services.sending): messages per batch (one SMTP connection),
# batch chains per campaign, attempts before a temporarily refused message fails, the first
# retry's delay (doubling after), and the age of a claim that belongs to a dead worker.
MARKETING_BATCH_SIZE = env.int("MARKETING_BATCH_SIZE", default=200)
MARKETING_SEND_CONCURRENCY = env.int("MARKETING_SEND_CONCURRENCY", default=2)
MARKETING_MAX_ATTEMPTS = env.int("MARKETING_MAX_ATTEMPTS", default=5)
MARKETING_RETRY_BASE_SECONDS = env.float("MARKETING_RETRY_BASE_SECONDS", default=60.0)
MARKETING_STALE_CLAIM_SECONDS = env.float("MARKETING_STALE_CLAIM_SECONDS", default=600.0)
CELERY_BEAT_SCHEDULE["marketing_sweep_task"] = {
    "task": "marketing.sweep",  # starts due campaigns, re-queues stale sends, per workspace
    "schedule": 60.0,
}
CELERY_BEAT_SCHEDULE["service_case_mail_retry_task"] = {
    "task": "service.email.case_mail_retry",  # case replies the mail server refused for now
    "schedule": 60.0,
}
CELERY_BEAT_SCHEDULE["service_sla_check_task"] = {
    "task": "service.sla_check",  # flags cases at risk / breached, per workspace
    "schedule": 60.0,
}
CELERY_BEAT_SCHEDULE["csat_reminders_task"] = {
    "task": "service.csat_reminders",  # one reminder per unanswered survey, per workspace
    "schedule": 3600.0,
}
CELERY_BEAT_SCHEDULE["service_imap_poll_task"] = {
    "task": "service.imap_poll",  # fetches unseen mail of every mailbox with an IMAP host
    "schedule": 60.0,
}
CELERY_BEAT_SCHEDULE["contacts_retention_sweep_task"] = {
    "task": "contacts.retention_sweep",  # applies each workspace's retention rules (GDPR)
    "schedule": 86400.0,
}
CELERY_BEAT_SCHEDULE["contacts_jobs_sweep_task"] = {
    "task": "contacts.jobs_sweep",  # re-queues stale imports and exports, per workspace
    "schedule": 300.0,
}
CELERY_BEAT_SCHEDULE["marketing_ab_decide_due_task"] = {
    "task": "marketing.ab_decide_due",  # decides the A/B tests whose wait is over
    "schedule": 60.0,
}
CELERY_BEAT_SCHEDULE["marketing_queue_health_check_task"] = {
    "task": "marketing.queue_health_check",  # alerts when deliveries wait over 10 minutes
    "schedule": 60.0,
}
CELERY_BEAT_SCHEDULE["callcentre_calls_sweep_task"] = {
    "task": "callcentre.calls_sweep",  # closes calls without an end event as incomplete
    "schedule": 300.0,
}
CELERY_BEAT_SCHEDULE["scoring_run_task"] = {
    "task": "scoring.run",  # new touch points and changed contacts into lead scores, per workspace
    "schedule": 60.0,
}
CELERY_BEAT_SCHEDULE["scoring_decay_task"] = {
    "task": "scoring.decay",  # engagement halving with time (half-life), per workspace
    "schedule": 3600.0,
}
# Journeys (journeys.services.advancing): enrolments claimed per batch, attempts of a step
# that fails temporarily before its enrolment fails, the first retry's delay (doubling after),
# how many journeys may trigger one another in a row before the chain is stopped as a loop,
# and how long the step logs of ended enrolments are kept.
JOURNEY_BATCH_SIZE = env.int("JOURNEY_BATCH_SIZE", default=200)
JOURNEY_MAX_ATTEMPTS = env.int("JOURNEY_MAX_ATTEMPTS", default=5)
JOURNEY_RETRY_BASE_SECONDS = env.float("JOURNEY_RETRY_BASE_SECONDS", default=60.0)
JOURNEY_CHAIN_MAX = env.int("JOURNEY_CHAIN_MAX", default=5)
JOURNEY_LOG_RETENTION_DAYS = env.int("JOURNEY_LOG_RETENTION_DAYS", default=180)
CELERY_BEAT_SCHEDULE["journeys_tick_task"] = {
    "task": "journeys.tick",  # new events enrol, scans, due enrolments advance, per workspace
    "schedule": 60.0,
}
CELERY_BEAT_SCHEDULE["journeys_care_task"] = {
    "task": "journeys.care",  # flags broken references, purges old step logs, per workspace
    "schedule": 3600.0,
}
# Outbound webhooks (webhooks.services): the change log and touch points into deliveries
# (per workspace whose cursor is behind), and the sweeper of stale claims and due retries.
CELERY_BEAT_SCHEDULE["webhooks_dispatch_task"] = {
    "task": "webhooks.dispatch",  # new change events and touch points into deliveries
    "schedule": 10.0,
}
CELERY_BEAT_SCHEDULE["webhooks_sweep_task"] = {
    "task": "webhooks.sweep",  # stale claims back, due retries queued, per workspace
    "schedule": 30.0,
}
CELERY_BEAT_SCHEDULE["touchpoints_partitions_ahead_task"] = {
    # monthly partitions of the interaction table ahead (only once partition_interactions ran)
    "task": "touchpoints.partitions_ahead",
    "schedule": 6 * 60 * 60.0,
}

# Warehouse export (warehouse.services.export, README "Warehouse export"). WAREHOUSE_URL: where
# it writes, duckdb:///abs/file.duckdb or parquet:///abs/dir (a relative path is read from the
# project directory; default var/warehouse.duckdb). WAREHOUSE_EXPORT_INTERVAL: seconds between
# the beat's runs (each exports every workspace with something new; 60 s keeps the lag from a
# change to the warehouse near a minute plus the run). WAREHOUSE_ENABLED=false
# turns the schedule off (`manage.py export_warehouse` and "Run now" still work).
WAREHOUSE_URL = env("WAREHOUSE_URL", default=f"duckdb:///{VAR_DIR / 'warehouse.duckdb'}")
WAREHOUSE_EXPORT_INTERVAL = env.float("WAREHOUSE_EXPORT_INTERVAL", default=60.0)
WAREHOUSE_ENABLED = env.bool("WAREHOUSE_ENABLED", default=True)
# WAREHOUSE_DUCKDB_MEMORY_LIMIT: the memory a DuckDB export may use before it spills to a
# temporary directory beside the file (DuckDB's size syntax: "512MB", "2GB").
WAREHOUSE_DUCKDB_MEMORY_LIMIT = env("WAREHOUSE_DUCKDB_MEMORY_LIMIT", default="512MB")
# WAREHOUSE_BATCH_RETENTION_DAYS: days the finished export batches are listed (status page, admin).
WAREHOUSE_BATCH_RETENTION_DAYS = env.int("WAREHOUSE_BATCH_RETENTION_DAYS", default=30)
if WAREHOUSE_ENABLED:
    CELERY_BEAT_SCHEDULE["warehouse_export_all_task"] = {
        "task": "warehouse.export_all",  # exports every workspace with new changes
        "schedule": WAREHOUSE_EXPORT_INTERVAL,
    }

# --- Forms ------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Product settings -------------------------------------------------------------------
# SITE_URL: the public base URL used in links sent by email (invitations), no trailing slash.
# Required in production; `make run` sets it to the port it serves.
SITE_URL = (
    env("SITE_URL", default="http://127.0.0.1:8000")
    if DEBUG
    else required("SITE_URL", fallback="http://invalid")
).rstrip("/")
if not DEBUG and (
    urlsplit(SITE_URL).scheme not in ("http", "https") or not urlsplit(SITE_URL).netloc
):
    _problems.append(f"SITE_URL={SITE_URL} is not an absolute URL such as https://crm.example.com.")
# CALENDAR_UID_DOMAIN: the domain in the UIDs of calendar-feed events (activity-<id>-<ws>@it).
# Fixed per installation, so a calendar app keeps its events whatever host name serves the
# feed; default: the host of SITE_URL. Keep it when the site moves to another address.
CALENDAR_UID_DOMAIN = env("CALENDAR_UID_DOMAIN", default="") or (
    urlsplit(SITE_URL).hostname or "crm.invalid"
)
# INVITATION_MAX_AGE_DAYS: how long an invitation link stays valid.
INVITATION_MAX_AGE_DAYS = env.int("INVITATION_MAX_AGE_DAYS", default=7)
# OWNER_CONFIRM_MAX_AGE_HOURS: how long the link confirming an owner invitation stays valid.
OWNER_CONFIRM_MAX_AGE_HOURS = env.int("OWNER_CONFIRM_MAX_AGE_HOURS", default=24)
# SIGNUP_OPEN: whether anyone may sign up and create a workspace.
SIGNUP_OPEN = env.bool("SIGNUP_OPEN", default=True)

# --- Marketing content and deliverability --------------------------------------------------
# BOUNCE_DOMAIN: the domain of VERP return paths (bounce+<token>@it); its MX must hand bounces
# to the inbound bounce endpoint. Default: the host of SITE_URL.
BOUNCE_DOMAIN = env("BOUNCE_DOMAIN", default="") or (urlsplit(SITE_URL).hostname or "crm.invalid")
# DNS_NAMESERVERS: comma-separated resolver addresses (ip or ip:port) for the sender-domain
# check (SPF, DKIM, DMARC); empty: the system resolver.
DNS_NAMESERVERS = env.list("DNS_NAMESERVERS", default=[])
# DNS_TIMEOUT_SECONDS: how long the sender-domain check waits for one answer.
DNS_TIMEOUT_SECONDS = env.float("DNS_TIMEOUT_SECONDS", default=3.0)
# MARKETING_ASSET_MAX_MB: the largest file the asset library accepts.
MARKETING_ASSET_MAX_MB = env.int("MARKETING_ASSET_MAX_MB", default=20)
# MARKETING_TEST_SEND_RATE: "send test" messages per user (django-ratelimit rate).
MARKETING_TEST_SEND_RATE = env("MARKETING_TEST_SEND_RATE", default="10/h")

# --- Logging ----------------------------------------------------------------------------
# LOG_LEVEL: level of the application loggers (INFO by default).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- Production checks (keep last) -----------------------------------------------------------
if _problems:
    raise ImproperlyConfigured(
        "The settings are incomplete (see crm_site/settings.py):\n  - " + "\n  - ".join(_problems)
    )
if _embedded and not DEBUG:
    logging.getLogger("crm_site").warning(
        "EMBEDDED=true: production runs parts inside the web process: %s.", "; ".join(_embedded)
    )

# --- Email to case (service) -------------------------------------------------------------
# SERVICE_MAIL_DOMAIN: the domain of the Message-IDs and X-Loop token of mail sent from cases
# (replies thread on it and bounces are found by it); the DEFAULT_FROM_EMAIL domain by default.
SERVICE_MAIL_DOMAIN = env(
    "SERVICE_MAIL_DOMAIN",
    default=DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ").lower() or "localhost",
)
# SERVICE_MAIL_MAX_ATTEMPTS / SERVICE_MAIL_RETRY_BASE_SECONDS: a case reply the mail server
# refuses for now (unreachable, 4xx) is sent again after base × 2^(n-1) s (at most 1 h), and
# marked failed after this many attempts (defaults: 6 attempts over about 31 minutes).
SERVICE_MAIL_MAX_ATTEMPTS = env.int("SERVICE_MAIL_MAX_ATTEMPTS", default=6)
SERVICE_MAIL_RETRY_BASE_SECONDS = env.float("SERVICE_MAIL_RETRY_BASE_SECONDS", default=60.0)
# SERVICE_MAIL_MAX_MESSAGE_BYTES: the largest raw message the inbound endpoint and
# `ingest_email` take (larger ones are refused with 413 / an error, nothing stored).
SERVICE_MAIL_MAX_MESSAGE_BYTES = env.int("SERVICE_MAIL_MAX_MESSAGE_BYTES", default=25 * 1024 * 1024)
# SERVICE_MAIL_MAX_ATTACHMENT_BYTES: attachments above this size are not stored; the case
# shows a note with their name and size instead.
SERVICE_MAIL_MAX_ATTACHMENT_BYTES = env.int(
    "SERVICE_MAIL_MAX_ATTACHMENT_BYTES", default=10 * 1024 * 1024
)

# --- Journeys: step types --------------------------------------------------------------------
# JOURNEYS_WEBHOOK_ALLOW_PRIVATE: let a journey's "call a webhook" step post to loopback,
# private and other non-public addresses, and over plain http. Off in production (a journey
# must not reach the internal network); DEBUG does not turn it on.
JOURNEYS_WEBHOOK_ALLOW_PRIVATE = env.bool("JOURNEYS_WEBHOOK_ALLOW_PRIVATE", default=False)
# JOURNEYS_WEBHOOK_TIMEOUT: seconds a webhook call may take before it counts as failed (retried).
JOURNEYS_WEBHOOK_TIMEOUT = env.float("JOURNEYS_WEBHOOK_TIMEOUT", default=5.0)

# --- REST API (api app: /api/v1/, /api/schema/, /api/docs/) --------------------------------
# API_RATE_LIMIT: requests per API key, counted in the shared cache (CACHE_URL): "<n>/<s|min|h|day>".
API_RATE_LIMIT = env("API_RATE_LIMIT", default="600/min")
REST_FRAMEWORK = {
    # API keys only: no session authentication on the API, so no CSRF on it either
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.KeyHasPermission"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ApiKeyRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_METADATA_CLASS": None,  # no OPTIONS self-description: /api/schema/ describes it
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CRM API",
    "DESCRIPTION": (
        "The workspace's contacts, accounts, touch points, sales, service and marketing records. "
        "Authenticate with a workspace API key: `Authorization: Bearer crm_<prefix>_<secret>`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",  # assets from drf_spectacular_sidecar's static files
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # choice sets that share a field name ("status", "type") get a name of their own
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "service.models.CaseStatus",
        "CaseTypeEnum": "service.models.CaseType",
        "QuoteStatusEnum": "sales.models.QuoteStatus",
    },
}
# WEBHOOKS_ALLOW_PRIVATE: let webhook endpoints be http:// and resolve to loopback, private or
# link-local addresses (a receiver on the same network). Off: https to public addresses only,
# checked when an endpoint is saved and again at every delivery. Only "true" turns it on.
WEBHOOKS_ALLOW_PRIVATE = env.bool("WEBHOOKS_ALLOW_PRIVATE", default=False)
# WEBHOOKS_TIMEOUT: seconds a webhook delivery may take (connect, then reply) before it fails.
WEBHOOKS_TIMEOUT = env.float("WEBHOOKS_TIMEOUT", default=10.0)
