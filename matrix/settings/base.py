"""Settings shared by every mode, driven by environment variables (django-environ).

With no environment at all the app runs in development mode on a SQLite file, so a
newcomer needs nothing installed. ``DEBUG=false`` switches to production mode, which
refuses to start without ``SECRET_KEY`` and ``ALLOWED_HOSTS``.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)

if DEBUG:
    SECRET_KEY = env.str(
        "SECRET_KEY", default="dev-only-insecure-key-change-me-in-production-0123456789"
    )
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
else:
    # Production mode: no silent defaults for the secrets an operator must choose.
    if not env.str("SECRET_KEY", default=""):
        raise ImproperlyConfigured("Production mode (DEBUG=false) requires SECRET_KEY.")
    if not env.list("ALLOWED_HOSTS", default=[]):
        raise ImproperlyConfigured("Production mode (DEBUG=false) requires ALLOWED_HOSTS.")
    SECRET_KEY = env.str("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_filters",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    # Ours, in dependency order: nothing imports "upward".
    "audit",
    "areas",
    "accounts",
    "core",
    "enterprises",
    "showcase",
    "partnerships",
    "ledger",
    "matrix",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "matrix.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "matrix.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.IdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "audit.middleware.AuditContextMiddleware",
    "core.versions.ReadOnceMiddleware",
    # Last: it calls the view, in a transaction when the request writes.
    "matrix.middleware.RequestTransactionMiddleware",
]

ROOT_URLCONF = "matrix.urls"
WSGI_APPLICATION = "matrix.wsgi.application"

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
                "matrix.context_processors.navigation",
            ],
        },
    },
]
FORM_RENDERER = "matrix.forms.FormRenderer"

# An empty DATABASE_URL means the default too (CI's SQLite pass sets it empty).
DATABASES = {
    "default": env.db_url_config(
        env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    ),
}
# A request that writes (POST, PUT, PATCH, DELETE) runs in one transaction, all or
# nothing; a read (GET, HEAD, OPTIONS) runs without one, so on SQLite it never takes the
# write lock and never waits for a long import to finish. This replaces ATOMIC_REQUESTS,
# which wraps every request: matrix.middleware.RequestTransactionMiddleware.
DATABASES["default"]["ATOMIC_REQUESTS"] = False

# Bounded database work (PostgreSQL): the server cancels a statement that runs longer.
# Web requests get the short limit; management commands and the task worker the long one
# (manage.py marks them; matrix/db.py). 0 means no limit.
DB_STATEMENT_TIMEOUT_MS = env.int("DB_STATEMENT_TIMEOUT_MS", default=30_000)
DB_COMMAND_STATEMENT_TIMEOUT_MS = env.int("DB_COMMAND_STATEMENT_TIMEOUT_MS", default=10 * 60_000)

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one request writes; a busy timeout rides out short locks.
    # IMMEDIATE: a transaction (a writing request, a command's atomic block) takes the
    # write lock when it begins, so two writers queue instead of failing mid-way.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": env.int("SQLITE_BUSY_TIMEOUT_S", default=20),
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    from matrix import db as _db

    DATABASES["default"]["OPTIONS"] = _db.postgresql_options(
        DATABASES["default"].get("OPTIONS", {}),
        DB_COMMAND_STATEMENT_TIMEOUT_MS
        if _db.process_role() == _db.COMMAND
        else DB_STATEMENT_TIMEOUT_MS,
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.LockoutModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.RepeatedCharactersValidator"},
    {"NAME": "accounts.validators.KeyboardRunValidator"},
]

# Lockout: this many failures for one username from one address within the window
# locks that pair (not the whole office behind one NAT) for LOCKOUT_DURATION.
LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW_SECONDS = 15 * 60
LOCKOUT_DURATION_SECONDS = 15 * 60

# Behind nginx, the client address comes from this request header (set it only when a
# proxy you control sets the header; see docs/DEPLOY.md). Empty: use REMOTE_ADDR.
REAL_IP_HEADER = env.str("REAL_IP_HEADER", default="")

# Idle timeout: the session expires 30 minutes after the last request.
SESSION_COOKIE_AGE = 30 * 60
# Idle timeout: accounts.middleware.IdleTimeoutMiddleware renews the session at most once
# a minute (instead of SESSION_SAVE_EVERY_REQUEST, a database write per page view).
SESSION_RENEW_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# A membership transfer still in progress this many days after it started is overdue.
TRANSFER_OVERDUE_DAYS = env.int("TRANSFER_OVERDUE_DAYS", default=30)
# Organisations whose term change (换届) is due within this many days raise an alert.
ELECTION_ALERT_DAYS = 90
# An enterprise with no membership return for this many months raises an alert.
RETURN_STALE_MONTHS = 12

# Ledger imports (台账): refuse bigger files or more rows with a clear message.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=100_000)
# Bounded reading (ledger/parsing.py, ledger/xlsx.py; docs/SECURITY.md): a part of a
# workbook may unpack to at most this many bytes, and (above 1 MB) to at most this many
# times its packed size; a sheet is read to the spec's columns plus this many; reading
# stops after this many seconds.
IMPORT_MAX_UNZIPPED_BYTES = env.int("IMPORT_MAX_UNZIPPED_BYTES", default=256 * 1024 * 1024)
IMPORT_MAX_ZIP_RATIO = env.int("IMPORT_MAX_ZIP_RATIO", default=100)
IMPORT_EXTRA_COLUMNS = env.int("IMPORT_EXTRA_COLUMNS", default=30)
IMPORT_PARSE_SECONDS = env.int("IMPORT_PARSE_SECONDS", default=120)
# The budgets those limits keep (checked by tests/ledger/test_hostile.py and
# bench/import_bench.py): a legitimate file of IMPORT_MAX_ROWS rows is read, planned and
# committed within IMPORT_BUDGET_MB of peak memory; every hostile file is refused or
# read within IMPORT_HOSTILE_SECONDS and IMPORT_HOSTILE_MB.
IMPORT_BUDGET_MB = 300
IMPORT_HOSTILE_SECONDS = 5
IMPORT_HOSTILE_MB = 50
# The task worker writes an import's progress every IMPORT_HEARTBEAT_SECONDS; a running
# import not heard from for IMPORT_STALE_SECONDS has lost its worker (its page says so).
IMPORT_HEARTBEAT_SECONDS = env.float("IMPORT_HEARTBEAT_SECONDS", default=2)
IMPORT_STALE_SECONDS = env.int("IMPORT_STALE_SECONDS", default=60)

# Imports run off the request in a task worker (django-tasks, database backend: the
# embedded quick start needs nothing else; ``manage.py db_worker``, docs/DEPLOY.md).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Attachments (photos, PDFs) on any record: stored under MEDIA_ROOT and downloaded only
# through core.attachments' views, which check the owning record's scope. Nothing serves
# MEDIA_URL: never point a web server location at MEDIA_ROOT (docs/DEPLOY.md).
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media/"
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
ATTACHMENT_THUMBNAIL_SIZE = (320, 320)

# 点 (showcase): a named site is reviewed (复核) every this many years (Shaanxi's rule: 2);
# a site whose review is due within SHOWCASE_REVIEW_ALERT_DAYS raises an alert.
SHOWCASE_REVIEW_CYCLE_YEARS = env.int("SHOWCASE_REVIEW_CYCLE_YEARS", default=2)
SHOWCASE_REVIEW_ALERT_DAYS = 60

# Audit entries are kept at least this long; prune_audit refuses anything shorter.
AUDIT_MIN_RETENTION_DAYS = 180

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Computed figures (dashboard, alert badge) and rendered page bodies are cached under the
# versions of the parts and areas they show (core/versions.py), so a cached value is never
# stale. The version counters live in the cache itself: every app server must use the same.
# - REDIS_URL set: Django's Redis cache, shared by several app servers (docs/DEPLOY.md).
# - Otherwise (the embedded default): a file cache, shared by the gunicorn workers of one
#   machine and kept across restarts. One machine only: a second one would keep its own
#   counters and miss the other's writes (use Redis for several).
REDIS_URL = env.str("REDIS_URL", default="")
CACHE_TIMEOUT = 7 * 24 * 3600
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "TIMEOUT": CACHE_TIMEOUT,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="pm"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "matrix.cache.FileCache",  # Django's file cache, culled oldest first
            "LOCATION": env.str("CACHE_DIR", default=str(BASE_DIR / "var" / "cache")),
            "TIMEOUT": CACHE_TIMEOUT,
            "OPTIONS": {"MAX_ENTRIES": 20000},
        },
        # The version counters (core/versions.py) in a directory of their own, never
        # culled in practice (a few per part and area), so a cull of the pages never
        # drops a counter (which would turn every page cold at once).
        "versions": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(
                Path(env.str("CACHE_DIR", default=str(BASE_DIR / "var" / "cache"))) / "versions"
            ),
            "TIMEOUT": None,
            "OPTIONS": {"MAX_ENTRIES": 1_000_000},
        },
    }

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy: only the app's own assets; no inline script or style.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)

if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    if env.bool("BEHIND_PROXY", default=True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

MESSAGE_TAGS = {40: "error"}

# django-filter: an unset filter reads "All" (全部), not "---------".
FILTERS_EMPTY_CHOICE_LABEL = _("All")
