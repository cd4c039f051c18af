"""Settings for Improvement Plan Tracker.

Everything that differs between a laptop and a council's server comes from
environment variables, read through the small typed helpers below. With no
variables set the app runs on an SQLite file in var/; DATABASE_URL switches it
to PostgreSQL. DEBUG is off unless asked for, and with DEBUG off the app refuses
to start without a real SECRET_KEY and ALLOWED_HOSTS.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    value = os.getenv(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: str) -> int:
    value = os.getenv(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "false")

# Only for a developer's own machine: never used when DEBUG is off.
_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = os.getenv("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=true on a developer's machine).")
    SECRET_KEY = _DEV_SECRET_KEY
elif not DEBUG and (SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured("SECRET_KEY must be a long random value when DEBUG is off.")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS to the host names this service answers to.")

# Who runs this installation, named on the pages outside any plan (signing in,
# the plans list, error pages); a plan's pages, papers and e-mails name the
# plan's own council. Empty: those pages name the service alone. COUNCIL_NAME is
# the same setting's name from when an installation ran one council's plans,
# still read for deployments that set it.
INSTALLATION_NAME = os.getenv("INSTALLATION_NAME", os.getenv("COUNCIL_NAME", "")).strip()
SERVICE_NAME = os.getenv("SERVICE_NAME", "Improvement Plan Tracker")

INSTALLED_APPS = [
    # The admin site, closed to all but operators (improvement/admin_site.py).
    "improvement.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_forms_gds",
    "simple_history",
    "axes",
    "csp",
    # Shared by every app below it (imports none of them).
    "core",
    "plans",
    "reporting",
    "reminders",
    # The plan as a workbook: export, import with a preview, bulk updates.
    "workbook",
    # Success measures: targets, tolerances and figures, as at any date.
    "measures",
    # The seed plan and the illustrative council a fresh installation serves.
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's, except that a session save failing after the view's write
    # (the database went away) never turns a done save into an error.
    "improvement.sessions.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Pages and downloads for a signed-in user are never kept by caches.
    "improvement.middleware.PrivateCacheControlMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # "Already submitted/approved" outcomes: a message and the record's page.
    "plans.middleware.AlreadyDoneMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Records the signed-in user on every history row written during a request.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that it sees failed logins after authentication has run.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "improvement.urls"

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
                "core.context_processors.service",
            ],
        },
    },
]

WSGI_APPLICATION = "improvement.wsgi.application"

# SQLite out of the box; PostgreSQL in production via DATABASE_URL.
_default_sqlite = f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL", _default_sqlite),
        conn_max_age=envint("DB_CONN_MAX_AGE", "60"),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Take the write lock when a transaction starts, so that concurrent saves
    # wait their turn (up to the timeout) instead of failing with "database is
    # locked" when a read-then-write transaction cannot upgrade its lock.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    # A missing folder would make the first migrate fail with an unhelpful error.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out user is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# E-mail: the link a new account is sent to set its password. Printed to the
# console on a developer's machine (DEBUG); sent through the council's mail
# relay otherwise. DEFAULT_FROM_EMAIL is the address recipients see.
EMAIL_BACKEND = os.getenv(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.getenv("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "false")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT_SECONDS", "10")
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "improvement-plan-tracker@localhost")
# --- Reminders and e-mail (reminders/) -----------------------------------------
# The address links in e-mails lead to (e-mails are sent outside any request).
SITE_URL = os.getenv("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL must start with https:// or http://, not {SITE_URL!r}")
# GOV.UK Notify: when NOTIFY_API_KEY is set, reminders go through Notify, with
# one generic e-mail template whose subject is ((subject)) and body ((body)).
NOTIFY_API_KEY = os.getenv("NOTIFY_API_KEY", "")
NOTIFY_TEMPLATE_ID = os.getenv("NOTIFY_TEMPLATE_ID", "")
NOTIFY_REPLY_TO_ID = os.getenv("NOTIFY_REPLY_TO_ID", "")
NOTIFY_BASE_URL = os.getenv("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
if NOTIFY_API_KEY and not NOTIFY_TEMPLATE_ID:
    raise ImproperlyConfigured("Set NOTIFY_TEMPLATE_ID (the generic template) with NOTIFY_API_KEY.")
# A message that fails this many times is given up and reported to plan administrators.
REMINDER_MAX_ATTEMPTS = envint("REMINDER_MAX_ATTEMPTS", "5")
# --- end of reminders -------------------------------------------------------------
# How long a set-password link works (Django's setting, in seconds).
PASSWORD_RESET_TIMEOUT = envint("SET_PASSWORD_LINK_DAYS", "3") * 24 * 60 * 60

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "plans:home"
LOGOUT_REDIRECT_URL = "logged_out"

# Brute-force lockout: after AXES_FAILURE_LIMIT failures for one user name from
# one address, that pair is locked for AXES_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", "15") / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The lockout page, saying how long in words (axes gives "PT15M").
AXES_LOCKOUT_CALLABLE = "improvement.views.locked_out"
# The client's address, not a proxy's, so that one client's failures lock only
# that client's pair (see TRUSTED_PROXIES).
AXES_CLIENT_IP_CALLABLE = "core.client_address.client_address"

# Sessions end after a period without activity (each request renews them).
SESSION_COOKIE_AGE = envint("SESSION_IDLE_MINUTES", "30") * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True
# The health check answers on plain HTTP too, for load balancers inside the network.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "false" if DEBUG else "true")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000")
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "false" if DEBUG else "true")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if envbool("BEHIND_PROXY", "false"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Addresses or networks of the proxies in front of the service: X-Forwarded-For
# is believed only from these (core/client_address.py).
TRUSTED_PROXIES = envlist("TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES must list addresses or networks, not {_proxy!r}"
        ) from None
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

# Content Security Policy: scripts and styles only from this service; the one
# inline script (GOV.UK Frontend's "js-enabled" class) carries a per-request nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # GOV.UK Frontend's scripts and images, from npm (nothing third-party is committed).
    ("govuk", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if envbool("STATIC_MANIFEST", "false" if DEBUG else "true")
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# History rows name the user; the reason for each change is stored beside it.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
# History is never reverted or rewritten, not even by operators in the admin site.
SIMPLE_HISTORY_REVERT_DISABLED = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Axes logs each lockout at WARNING; its start-up banner is noise.
        "axes": {"level": "WARNING"},
        # WeasyPrint narrates every step of every PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Rendered papers, kept so that an unchanged paper downloads without being
# rendered again (reporting.cache), shared by every app server: by default a
# table in the database (`manage.py createcachetable` makes it, after migrate);
# PAPER_CACHE_BACKEND and PAPER_CACHE_LOCATION name another shared cache (e.g.
# Django's RedisCache and a redis:// address). Entries expire after a week.
DATABASE_CACHE = "django.core.cache.backends.db.DatabaseCache"
PAPER_CACHE_BACKEND = os.getenv("PAPER_CACHE_BACKEND", DATABASE_CACHE).strip()
if "." not in PAPER_CACHE_BACKEND:
    raise ImproperlyConfigured(
        f"PAPER_CACHE_BACKEND must be a cache backend's dotted path, not {PAPER_CACHE_BACKEND!r}"
    )
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "papers": {
        "BACKEND": PAPER_CACHE_BACKEND,
        "LOCATION": os.getenv("PAPER_CACHE_LOCATION", "paper_cache"),
        "TIMEOUT": 7 * 24 * 3600,
    },
}
if PAPER_CACHE_BACKEND == DATABASE_CACHE:
    # A board report's PDF is up to a few MB: the table is culled (a third of
    # it) past this many files. Redis and Memcached evict by themselves.
    CACHES["papers"]["OPTIONS"] = {"MAX_ENTRIES": 1000}
# The release being run (e.g. a git tag or commit), if the operator names it:
# papers rendered by another release are not served from the cache.
RELEASE = os.getenv("RELEASE", "").strip()

# Workbooks (workbook/): the largest upload accepted, and the most its zip
# parts may unpack to (a zip-bomb guard, checked before the file is opened).
# Uploads up to the limit are kept in memory for the request, never on disk.
WORKBOOK_MAX_UPLOAD_BYTES = envint("WORKBOOK_MAX_UPLOAD_MB", "10") * 1024 * 1024
WORKBOOK_MAX_UNPACKED_BYTES = envint("WORKBOOK_MAX_UNPACKED_MB", "200") * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = WORKBOOK_MAX_UPLOAD_BYTES
