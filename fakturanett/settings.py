"""FakturaNett settings, read from the environment.

Every setting has an embedded default that runs on one machine with no services:
SQLite in WAL mode and a SQLite-backed task queue under ``var/``, mail written to
files under ``var/mail/``. The README lists every variable.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()


def _embedded_secret_key() -> str:
    """Generate the secret key once per installation and keep it under var/."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="") or _embedded_secret_key()
DEBUG = env.bool("DEBUG", default=False)
TESTING = env.bool("FAKTURANETT_TESTING", default=False)
# Erasures since the last backup, replayed after a restore (core/erasure_journal.py).
ERASURE_JOURNAL_PATH = env.str(
    "ERASURE_JOURNAL_PATH", default=str(VAR_DIR / "erasure-journal.jsonl")
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
PORT = env.int("PORT", default=8000)
# The public address used in links that leave the site (e-mails, unsubscribe links).
SITE_URL = env.str("SITE_URL", default=f"http://127.0.0.1:{PORT}").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "django_htmx",
    "huey.contrib.djhuey",
    "rest_framework",
    "drf_spectacular",
    "django_filters",
    "core",
    "accounts",
    "privacy",
    "catalog",
    "customers",
    "invoicing",
    "documents",
    "delivery",
    "api",
    "receivables",
    "recurring",
    "reports",
    "quotes",
    "backoffice",
    "retention",
    "marketing",
]

MIDDLEWARE = [
    "core.middleware.RequestIdMiddleware",
    "core.health.HealthCheckMiddleware",
    "core.middleware.NullCharacterGuardMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.PrivateResponseMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "privacy.middleware.CookieConsentMiddleware",
    "core.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.ActiveCompanyMiddleware",
    "core.middleware.ExplainedErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fakturanett.urls"
WSGI_APPLICATION = "fakturanett.wsgi.application"

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
                "csp.context_processors.nonce",
                "accounts.context_processors.active_company",
            ],
            # {% load i18n %}: Django's library with a cheaper literal {% translate %};
            # {% load static %}: Django's, with a literal path's URL looked up once.
            "libraries": {
                "i18n": "core.templatetags.i18n_fast",
                "static": "core.templatetags.static_memo",
            },
        },
    }
]
# templates.W003 warns about those intended overrides of "i18n" and "static"; every other
# name shared by two tag libraries fails core/tests/test_i18n_fast.py instead.
# models.W040: SQLite builds the invoice list indexes without their INCLUDE columns, which
# only PostgreSQL's index-only walks read (invoicing/migrations/0035); intended.
SILENCED_SYSTEM_CHECKS = ["templates.W003", "models.W040"]

# --- Database -------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'fakturanett.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at
            # BEGIN so two writers queue instead of failing on a lock upgrade.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Planner settings of every connection (issue 15, measured at 1 M invoices):
        # - no JIT compilation: it pays off for analytic queries of many seconds, and a
        #   report page's aggregate spent ~0.9 s of ~2.9 s compiling;
        # - random reads costed as on SSD or cached data (PostgreSQL's default, 4, is for
        #   spinning disks): the VAT report read every company's VAT lines (4.5 M rows)
        #   rather than probe the term's 45,000 invoices' lines: 380 → 90 ms.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
            "options",
            env.str("POSTGRES_SESSION_OPTIONS", default="-c jit=off -c random_page_cost=1.1"),
        )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Tasks (Huey) ---------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# Worker processes of ``run_huey`` (not threads: rendering and archiving PDF/EHF is CPU work
# that threads cannot spread over the cores). Default: one per core this process may use.
_CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
HUEY_WORKERS = env.int("HUEY_WORKERS", default=_CORES or 1)
HUEY_CONSUMER = {"workers": HUEY_WORKERS, "worker_type": "process"}
# Database connections (threads) the retention run applies a large rule's batches on
# (PostgreSQL only: retention.services). Default: one per core this process may use.
RETENTION_WORKERS = env.int("RETENTION_WORKERS", default=_CORES or 1)
# Issued documents archived (PDF + EHF) per task when many are issued at once.
ARCHIVE_CHUNK_SIZE = env.int("ARCHIVE_CHUNK_SIZE", default=50)
# Drafts issued per transaction by the set-based issue (batches, recurring runs).
ISSUE_CHUNK_SIZE = env.int("ISSUE_CHUNK_SIZE", default=100)
# Drafts a user may issue in one request ("Utsted valgte", POST /api/v1/invoices/issue/):
# issued while the request waits (~260/s on 2 cores), so bounded well inside the web
# server's 30 s timeout even on a loaded machine.
ISSUE_SELECTED_MAX = env.int("ISSUE_SELECTED_MAX", default=500)
# Invoices one send batch takes ("Samlesending"). The batch takes at least
# ISSUE_SELECTED_MAX whatever this says (delivery.services.batch_max), since the issue
# result offers to send every invoice just issued in one batch.
SEND_BATCH_MAX = env.int("SEND_BATCH_MAX", default=500)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": env.str("HUEY_NAME", default="fakturanett"),
        "url": REDIS_URL,
        "immediate": TESTING,
        "consumer": HUEY_CONSUMER,
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "fakturanett",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": TESTING,
        "consumer": HUEY_CONSUMER,
    }

# A task of the durable outbox (core.outbox) whose runner held it this long is presumed
# dead (killed worker) and may be taken over by the sweep.
OUTBOX_CLAIM_SECONDS = env.int("OUTBOX_CLAIM_SECONDS", default=10 * 60)

# --- Cache: shared by every process (API rate limits, e-mail de-duplication) ------
# Redis when REDIS_URL is set, else a table in the database (created by core's migration
# 0003). A per-process memory cache would let each web worker count its own limits.
CACHE_URL = env.str("CACHE_URL", default="") or REDIS_URL
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env.str("HUEY_NAME", default="fakturanett"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "fakturanett_cache",
        }
    }

# --- Auth -----------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; the suite creates thousands of users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day
# How recent a password (and second factor) check must be for sensitive actions.
REAUTH_MAX_AGE_SECONDS = env.int("REAUTH_MAX_AGE_SECONDS", default=10 * 60)

# Lockout (accounts/lockout.py): failures within the cool-off window that lock a log-in.
AXES_FAILURE_LIMIT_ADDRESS = env.int("AXES_FAILURE_LIMIT", default=5)  # one account, one IP
AXES_FAILURE_LIMIT_ACCOUNT = env.int("AXES_FAILURE_LIMIT_ACCOUNT", default=40)  # any IPs
AXES_FAILURE_LIMIT_IP = env.int("AXES_FAILURE_LIMIT_IP", default=100)  # one IP, any accounts
AXES_FAILURE_LIMIT = "accounts.lockout.failure_limit"
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.lockout.axes_username"
# How long the unlock link in the lockout e-mail works.
ACCOUNT_UNLOCK_MAX_AGE_SECONDS = env.int("ACCOUNT_UNLOCK_MAX_AGE_SECONDS", default=60 * 60)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "FakturaNett"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Absolute session lifetime, counted from the log-in (accounts.middleware.SessionTimeoutMiddleware).
SESSION_COOKIE_AGE = env.int("SESSION_MAX_AGE_SECONDS", default=60 * 60 * 12)
# Idle timeout: a session unused this long is logged out.
SESSION_IDLE_TIMEOUT_SECONDS = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=30) * 60
# How often the "last seen" stamp may be rewritten (the session is not saved on every request).
SESSION_ACTIVITY_RESOLUTION_SECONDS = 60

# --- HTTPS and the other `check --deploy` settings: off by default (runs on plain HTTP on
# one machine); fakturanett/settings_production.py turns every one on. -----------------------
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = False
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    # Behind a reverse proxy that terminates TLS and sets X-Forwarded-Proto (and strips it
    # from clients).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Content Security Policy: our own origin only, no third-party sources. ------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Internationalisation -------------------------------------------------------
LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", "Norsk bokmål"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

# --- Static files: our own, plus front-end packages installed by npm. -----------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/pico", BASE_DIR / "node_modules" / "@picocss" / "pico" / "css"),
]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "media")},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING or DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = TESTING or DEBUG

# --- E-mail -----------------------------------------------------------------------
_email = env.email_url("EMAIL_URL", default="filemail://")
if _email.get("EMAIL_BACKEND") == "django.core.mail.backends.filebased.EmailBackend":
    # django-environ drops the leading slash of filemail:///abs/path.
    _mail_path = _email.get("EMAIL_FILE_PATH")
    _email["EMAIL_FILE_PATH"] = f"/{_mail_path}" if _mail_path else str(VAR_DIR / "mail")
vars().update(_email)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="FakturaNett <no-reply@fakturanett.no>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = 20

# --- Peppol (EHF) access point: without a URL, EHF files are produced but not transmitted.
PEPPOL_AP_URL = env.str("PEPPOL_AP_URL", default="")
PEPPOL_AP_KEY = env.str("PEPPOL_AP_KEY", default="")
PEPPOL_AP_TIMEOUT = env.float("PEPPOL_AP_TIMEOUT", default=30.0)

# --- PDF: drafts longer than this are not previewed on the fly (it ties up a web worker);
# archived PDFs of issued invoices are rendered by the task worker whatever their length.
PDF_PREVIEW_MAX_LINES = env.int("PDF_PREVIEW_MAX_LINES", default=200)

# --- Credit checks (back office): without a URL, staff enter credit checks by hand.
CREDIT_CHECK_URL = env.str("CREDIT_CHECK_URL", default="")
CREDIT_CHECK_KEY = env.str("CREDIT_CHECK_KEY", default="")
CREDIT_CHECK_PROVIDER_NAME = env.str("CREDIT_CHECK_PROVIDER_NAME", default="")
CREDIT_CHECK_TIMEOUT = env.float("CREDIT_CHECK_TIMEOUT", default=15.0)

# --- Company look-up in Enhetsregisteret (core/companylookup.py): empty turns it off.
BRREG_URL = env.str("BRREG_URL", default="https://data.brreg.no/enhetsregisteret/api/enheter")
BRREG_TIMEOUT = env.float("BRREG_TIMEOUT", default=3.0)
BRREG_RATE_ANONYMOUS = env.str("BRREG_RATE_ANONYMOUS", default="10/minute")
BRREG_RATE_USER = env.str("BRREG_RATE_USER", default="60/minute")

# --- REST API -----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "api.schema.ApiAutoSchema",  # AutoSchema + error responses
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser"],  # JSON only: others get 415
    "DEFAULT_PAGINATION_CLASS": "api.pagination.ApiPagination",
    "PAGE_SIZE": 50,
    # Token first: its WWW-Authenticate header makes a missing login a 401 (api/auth.py).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.auth.ApiTokenAuthentication",
        "api.auth.CompanySessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.auth.CompanyApiPermission"],
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.SustainedRateThrottle",
        "api.throttling.BurstRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "api_sustained": env.str("API_RATE_SUSTAINED", default="1000/hour"),
        "api_burst": env.str("API_RATE_BURST", default="120/minute"),
    },
    "EXCEPTION_HANDLER": "api.exceptions.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "FakturaNett API",
    "DESCRIPTION": "Invoicing for Norwegian businesses.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets that share a field name get stable, distinct schema names.
    "ENUM_NAME_OVERRIDES": {
        "ClientKindEnum": "customers.models.Client.Kind",
        "StatusEnum": "invoicing.models.Invoice.Status",
        "RecurringRunStatusEnum": "recurring.models.RecurringRun.Status",
        "QuoteStatusEnum": "quotes.models.Quote.Status",
    },
}

# --- Logging: to stderr; request id in every line. ---------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.logging.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["stderr"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Product -----------------------------------------------------------------------
# Version of the terms of service a user accepts at sign-up.
TERMS_VERSION = "2026-11-01"
DEMO_COMPANY_ORGNR = "999999999"
