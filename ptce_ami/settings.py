"""Settings of the PTCE AMI platform.

Every deployment value comes from the environment (see README, "Variables d'environnement").
Parsing is strict: a value that cannot be read raises ImproperlyConfigured at start-up rather
than silently falling back to a default.
"""

import datetime
import secrets
from pathlib import Path

from csp.constants import NONE, SELF, UNSAFE_INLINE

from ptce_ami.conf import Env
from ptce_ami.core.cache import cache_settings

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = Env()

DEBUG = env.bool("DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env.secret("SECRET_KEY", default="dev-only-insecure-key-never-use-in-production")
elif env.bool("PTCE_OFFLINE_COMMAND", default=False):
    # Set by manage.py for the commands that never sign anything (makemigrations --check, check, …).
    SECRET_KEY = env.secret("SECRET_KEY", default=secrets.token_urlsafe(50))
else:
    SECRET_KEY = env.secret("SECRET_KEY")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.url_string("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    # The Django admin, whose site also asks for the second factor (accounts.admin_site).
    "ptce_ami.accounts.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "widget_tweaks",
    "dsfr",
    "crispy_forms",
    "django_filters",
    "django_celery_beat",
    "import_export",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Ours, from the ground floor up (DESIGN §3).
    "ptce_ami.core",
    "territories",
    "ptce_ami.accounts",
    "applications",
    "reviews",
    "ptce_ami.site",
]

MIDDLEWARE = [
    # First: the client's address behind a trusted proxy, and the audit log's request context.
    "ptce_ami.core.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "ptce_ami.core.middleware.PrivateCacheMiddleware",
    "ptce_ami.core.middleware.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before anything may read the body (sessions, CSRF, django-axes); after the headers, which its refusals get.
    "ptce_ami.core.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The page's language: the account's or this browser's choice, else French (not the browser's preference).
    "ptce_ami.accounts.language.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor (django-otp).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "ptce_ami.accounts.middleware.SessionExpiryMiddleware",
    # Staff without a second factor are sent to enrolment, sessions not yet verified to verification.
    "ptce_ami.accounts.middleware.SecondFactorMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ptce_ami.urls"
WSGI_APPLICATION = "ptce_ami.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ptce_ami.site.context_processors.site",
            ],
        },
    },
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

CRISPY_ALLOWED_TEMPLATE_PACKS = ("dsfr",)
CRISPY_TEMPLATE_PACK = "dsfr"
CRISPY_FAIL_SILENTLY = not DEBUG

# django-dsfr: integrity hashes break with hashed static names (STACK_NOTES, trap 1).
DSFR_USE_INTEGRITY_CHECKSUMS = False
DSFR_MARK_OPTIONAL_FIELDS = True
# Django 6's default for URL fields typed without a scheme (https): without it, every URL field of a form (the admin's
# django-dsfr configuration…) warns, and a warning is an error in the tests.
FORMS_URLFIELD_ASSUME_HTTPS = True

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No parallel workers for the web's queries: a page reads a few rows along an index, and starting workers cost
    # 15-20 ms on a 50-row page at 100,000 dossiers (issue 15). Set DATABASE_SESSION_OPTIONS to tune it otherwise.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", env.str("DATABASE_SESSION_OPTIONS", default="-c max_parallel_workers_per_gather=0")
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    # WAL and a busy timeout let the inline demo serve requests while a task writes.
    DATABASES["default"]["OPTIONS"].update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses any login attempt while its (e-mail, IP) pair is locked out.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "ptce_ami.accounts.backends.EmailBackend",
    # ProConnect (agents): answers only its own callback, never a password login (accounts.proconnect).
    "ptce_ami.accounts.proconnect.ProConnectBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "site:dashboard"
LOGOUT_REDIRECT_URL = "site:home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day
EMAIL_CONFIRMATION_MAX_AGE = 60 * 60 * 24 * 3  # three days

# Login throttling (django-axes): 5 failures for one (e-mail, IP) pair lock it for 15 minutes; a success resets.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The lock ends 15 minutes after it began, as the lockout page says, even if attempts go on meanwhile.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "ptce_ami.accounts.backends.lockout_username"
# Password reset, sign-up and confirmation resend: so many POSTs per hour per IP and per e-mail address.
AUTH_FORM_THROTTLE_LIMIT = env.int("AUTH_FORM_THROTTLE_LIMIT", default=5)
AUTH_FORM_THROTTLE_WINDOW = 60 * 60

# Second factor (django-otp: TOTP, with single-use recovery codes; ptce_ami.accounts.two_factor). Required for the
# roles listed (comma-separated role codes; empty: optional for everyone), optional for the others; the Django admin
# always asks for it. After TWO_FACTOR_FAILURE_LIMIT wrong codes in a row, verification is refused for
# TWO_FACTOR_COOLOFF_MINUTES (on top of django-otp's own growing delay between attempts: 1, 2, 4, 8… seconds).
TWO_FACTOR_REQUIRED_ROLES = env.list("TWO_FACTOR_REQUIRED_ROLES", default=["instructeur", "administrateur"])
TWO_FACTOR_ADMIN_REQUIRED = True
TWO_FACTOR_FAILURE_LIMIT = env.int("TWO_FACTOR_FAILURE_LIMIT", default=5)
TWO_FACTOR_COOLOFF = datetime.timedelta(minutes=env.int("TWO_FACTOR_COOLOFF_MINUTES", default=15))
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="AMI PTCE")

# Sessions end after inactivity: 30 minutes for staff and partners, 2 hours otherwise; each request pushes the
# deadline back, at most once a minute (accounts.middleware.SessionExpiryMiddleware).
SESSION_COOKIE_AGE = 2 * 60 * 60
SESSION_STAFF_COOKIE_AGE = 30 * 60
# Seconds before that deadline when a dialog offers to stay signed in (RGAA 13.1; includes/session_timeout.html).
SESSION_WARNING_SECONDS = env.int("SESSION_WARNING_SECONDS", default=120)

# ProConnect, the State's OpenID Connect federation for its agents (accounts.proconnect): off unless the issuer, the
# client id and the secret are all set. The endpoints come from {issuer}/.well-known/openid-configuration, fetched
# when first needed (timeout PROCONNECT_TIMEOUT seconds) and kept PROCONNECT_DISCOVERY_TTL seconds in the cache.
PROCONNECT_ISSUER = env.str("PROCONNECT_ISSUER", default="").rstrip("/")
PROCONNECT_CLIENT_ID = env.str("PROCONNECT_CLIENT_ID", default="")
PROCONNECT_CLIENT_SECRET = env.secret("PROCONNECT_CLIENT_SECRET", default="")
PROCONNECT_SCOPES = env.str("PROCONNECT_SCOPES", default="openid email given_name usual_name siret uid")
# Sent only when set (e.g. "eidas1"): ProConnect refuses any authorization parameter it does not expect.
PROCONNECT_ACR_VALUES = env.str("PROCONNECT_ACR_VALUES", default="")
PROCONNECT_TIMEOUT = env.int("PROCONNECT_TIMEOUT", default=5)
PROCONNECT_DISCOVERY_TTL = env.int("PROCONNECT_DISCOVERY_TTL", default=60 * 60)
if PROCONNECT_ISSUER:
    env.url_string("PROCONNECT_ISSUER")  # an issuer that is not an http(s) URL stops the start-up

LANGUAGE_CODE = "fr"
# French first; English on request (the header's switcher), remembered per account (ptce_ami.accounts.language).
# Each language is named in itself, as a switcher must (RGAA 8.7).
LANGUAGES = [("fr", "Français"), ("en", "English")]
LANGUAGE_COOKIE_NAME = "ptce_language"
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")

# In DEBUG (and tests) WhiteNoise serves straight from the apps' static folders, no collectstatic needed.
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_USE_FINDERS = DEBUG

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
S3_BUCKET_NAME = env.str("S3_BUCKET_NAME", default="")
if S3_BUCKET_NAME:
    # Uploaded files on S3-compatible storage; they are always served through permission-checked
    # views, so the bucket stays private and URLs are signed and short-lived.
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET_NAME,
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("S3_REGION", default="") or None,
            "access_key": env.secret("S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.secret("S3_SECRET_ACCESS_KEY", default="") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
        },
    }

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
globals().update(EMAIL_CONFIG)  # EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_USE_TLS…
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="AMI PTCE <ne-pas-repondre@ptce.beta.gouv.fr>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
CONTACT_EMAIL = env.str("CONTACT_EMAIL", default="ami-ptce@dgtresor.gouv.fr")

# Legal pages (site/pages): facts known only at deployment come from the environment; left empty, the pages say so.
PUBLICATION_DIRECTOR = env.str("PUBLICATION_DIRECTOR", default="")
HOSTING_PROVIDER_NAME = env.str("HOSTING_PROVIDER_NAME", default="")
HOSTING_PROVIDER_ADDRESS = env.str("HOSTING_PROVIDER_ADDRESS", default="")
HOSTING_PROVIDER_CONTACT = env.str("HOSTING_PROVIDER_CONTACT", default="")
# The data protection officer of the economic and financial ministries; empty: the page points to CONTACT_EMAIL.
DPO_EMAIL = env.str("DPO_EMAIL", default="")
# The State's "Je donne mon avis" form for this service (voxusagers); empty: no link after submission.
JE_DONNE_MON_AVIS_URL = env.str("JE_DONNE_MON_AVIS_URL", default="")

# The cache, shared by every web process and worker of a deployment (the lists' counters, the dashboards' figures,
# the form throttles): CACHE_URL=redis://host:6379/1 (another database than the broker's). Empty: memory, per
# process (make run, the tests). Redis failing is a cache miss, never an error (ptce_ami.core.cache).
CACHES = cache_settings(env.str("CACHE_URL", default=""))

# Celery: without a broker, tasks run inline in the web process (the demo and the default test run).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# Inline tasks record their failures (failed notices, e-mails) instead of breaking the porteur's request.
CELERY_TASK_EAGER_PROPAGATES = False
# Nothing reads task results (the database records every outcome): no result backend unless one is set. On a
# Redis that does not answer, a result backend costs about 20 s for each task sent, whatever the broker settings.
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A pool process is replaced after this many tasks, or after a task that left it above this resident memory (KiB):
# WeasyPrint's caches grew a child to 298 MB over 500 receipts (bench/scale_workers.py, issue 15).
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_WORKER_MAX_TASKS_PER_CHILD", default=200)
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=250_000)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Sending a task never holds a request for long: with the broker down (refused), silent (accepts, never answers)
# or unreachable, it gives up within about a second; the task stays recorded and the sweep sends it later
# (ptce_ami.core.queue). Each Redis connection or command waits broker_timeout seconds at most, and a publish is
# tried twice (the second try reconnects a connection Redis dropped).
broker_timeout = 0.5
CELERY_BROKER_CONNECTION_TIMEOUT = broker_timeout
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A message taken by a worker that dies is delivered again after this many seconds (acks_late).
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "socket_connect_timeout": broker_timeout,
    "socket_timeout": broker_timeout,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0, "interval_max": 0}
# Only used when CELERY_RESULT_BACKEND is set: the same bounds for the result backend.
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = broker_timeout
CELERY_REDIS_SOCKET_TIMEOUT = broker_timeout
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": {"max_retries": 1, "interval_start": 0}}
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# Security headers; HTTPS-only cookies outside DEBUG.
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): every script is a file of ours, never inline; only styles may be inline
# (the SVG maps and charts colour their shapes with style attributes). Report-only in DEBUG, so that a violation
# shows in the browser's console during development without breaking the page.
CSP_DIRECTIVES = {
    "default-src": [SELF],
    "script-src": [SELF],
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:"],
    "font-src": [SELF],
    "connect-src": [SELF],
    "object-src": [NONE],
    "base-uri": [SELF],
    "frame-ancestors": [NONE],
    "form-action": [SELF],
}
if DEBUG:
    CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": CSP_DIRECTIVES}
else:
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": CSP_DIRECTIVES}
if env.bool("BEHIND_HTTPS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # probed over plain HTTP from inside the container
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    # Every subdomain is HTTPS-only too, and the domain may be submitted to the browsers' preload list; a deployment
    # on a shared parent domain that cannot promise this turns them off.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's default configuration gives "django" a console handler of its own: without this line, every
        # Django message (runserver's "Watching for file changes…") would be printed twice.
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint and fontTools log every layout step at INFO: ten lines per PDF.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Territories autocomplete: number of suggestions returned.
TERRITORY_AUTOCOMPLETE_LIMIT = 10

# Company lookup (Recherche d'entreprises); empty disables it
COMPANY_LOOKUP_URL = env.str("COMPANY_LOOKUP_URL", default="https://recherche-entreprises.api.gouv.fr/search")
COMPANY_LOOKUP_TIMEOUT = env.int("COMPANY_LOOKUP_TIMEOUT", default=3)

# Imports in the admin (django-import-export: the laureate history): the file waits between the preview and the
# confirmation in the default storage (private, shared by every web process; removed once imported), and the
# preview is a dry run inside a transaction rolled back.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.MediaStorage"
IMPORT_EXPORT_USE_TRANSACTIONS = True

ATTACHMENT_MAX_SIZE = env.int("ATTACHMENT_MAX_SIZE", default=10 * 1024 * 1024)  # bytes, per uploaded file

# Request bodies and client addresses at the edge (ptce_ami.core.middleware; README, "Limites : taille des requêtes et
# débits"). A body is refused with 413 from its Content-Length, before anything reads it: an upload view
# (core.middleware.accepts_files) takes its files of ATTACHMENT_MAX_SIZE each plus DATA_UPLOAD_MAX_MEMORY_SIZE for the
# rest of the form; any other request DATA_UPLOAD_MAX_MEMORY_SIZE. Django enforces the same figures on what it parses.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)
# Uploaded files above this size are streamed to a temporary file instead of being kept in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env.int("DATA_UPLOAD_MAX_NUMBER_FIELDS", default=1000)
# The largest form takes 5 files (a message); beyond this count Django refuses the request (400) before reading them.
DATA_UPLOAD_MAX_NUMBER_FILES = env.int("DATA_UPLOAD_MAX_NUMBER_FILES", default=20)
# Reverse proxies whose X-Forwarded-For is believed (addresses or networks): behind them, the client's address is the
# last one they added that is not one of them. Empty (the default): REMOTE_ADDR as the server saw it, and the header is
# ignored, whoever sends it.
TRUSTED_PROXIES = env.ip_networks("TRUSTED_PROXIES", default=[])

# Read API for staff tools (ptce_ami.api): requests allowed per token ("60/min", "1000/hour"), counted in the default
# cache; the call log is kept this many days (accounts.services.purge_api_calls, daily beat task).
API_RATE_LIMIT = env.str("API_RATE_LIMIT", default="60/min")
API_CALL_RETENTION_DAYS = env.int("API_CALL_RETENTION_DAYS", default=90)

# Audit log (ptce_ami.core.audit): rows are kept AUDIT_RETENTION_DAYS days (0 = forever, the default chosen). With a
# period, the nightly task core.archive_audit_log writes the older prefix of the chain to a gzipped file in
# AUDIT_ARCHIVE_DIR (to be copied off the platform, as backups are), records its SHA-256 in a checkpoint and removes
# those rows; `manage.py verify_audit_log` starts from the checkpoint and `--archive FILE` checks a file.
# AUDIT_GENESIS_HASH: the hash the chain starts from when no checkpoint exists (a log restored from elsewhere).
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=0)
AUDIT_ARCHIVE_DIR = env.path("AUDIT_ARCHIVE_DIR", default=VAR_DIR / "audit-archives")
AUDIT_GENESIS_HASH = env.str("AUDIT_GENESIS_HASH", default="")
# Addresses that get, each night, the audit log's last hash and its verification (core.anchor_audit_log): kept outside
# the platform, it shows a log cut or rewritten (`verify_audit_log --expect-hash`). Empty: no message.
AUDIT_ANCHOR_EMAILS = env.list("AUDIT_ANCHOR_EMAILS", default=[])

# Retention of personal data (applications/reviews services.retention, `manage.py apply_retention`, daily beat task):
# drafts untouched this many months are deleted (their owners warned RETENTION_WARNING_DAYS before); not-retained,
# ineligible and withdrawn dossiers are anonymised this many years after the decision or the withdrawal; laureates'
# dossiers this many years after their grant is closed (phase 1: after the decision); accounts never confirmed,
# without any dossier, are deleted this many days after sign-up.
RETENTION_DRAFT_MONTHS = env.int("RETENTION_DRAFT_MONTHS", default=24)
RETENTION_CLOSED_YEARS = env.int("RETENTION_CLOSED_YEARS", default=5)
RETENTION_LAUREATE_YEARS = env.int("RETENTION_LAUREATE_YEARS", default=10)
RETENTION_WARNING_DAYS = env.int("RETENTION_WARNING_DAYS", default=30)
RETENTION_UNCONFIRMED_ACCOUNT_DAYS = env.int("RETENTION_UNCONFIRMED_ACCOUNT_DAYS", default=30)
