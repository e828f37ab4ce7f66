"""Django settings for mps, all read from MPS_* environment variables via mps.conf."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from mps import conf

BASE_DIR = Path(__file__).resolve().parent

DEBUG = conf.env_bool("MPS_DEBUG", False)
DATA_DIR = conf.data_dir()
SECRET_KEY = conf.secret_key(DEBUG, DATA_DIR)
ALLOWED_HOSTS = conf.env_list(
    "MPS_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("MPS_ALLOWED_HOSTS is required when MPS_DEBUG is off.")

BROKER_URL = conf.env_url("MPS_BROKER_URL", {"redis", "rediss", "amqp", "amqps", "pyamqp"})
# Redis only: a task not acknowledged this many seconds after delivery (its worker died) is
# delivered again. Must exceed the longest task; RabbitMQ redelivers as soon as the link drops.
BROKER_VISIBILITY_TIMEOUT = conf.env_int("MPS_BROKER_VISIBILITY_TIMEOUT", 3600)

_database_url = conf.env_url(
    "MPS_DATABASE_URL",
    {"sqlite", "postgres", "postgresql", "pgsql"},
    default=f"sqlite:///{DATA_DIR / 'mps.sqlite3'}",
)
try:
    DATABASES = {"default": dj_database_url.parse(_database_url or "", conn_max_age=60)}
except ValueError as exc:
    raise ImproperlyConfigured(f"MPS_DATABASE_URL cannot be parsed: {exc}") from exc
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})
    # WAL lets pages read while a scan or an import writes, and makes each commit cheaper;
    # synchronous=NORMAL is safe from corruption in WAL mode (sqlite.org/wal.html).
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "mps.core",
    "mps.accounts",
    "mps.organisations",
    "mps.registry",
    "mps.agreements",
    "mps.riskscore",
    "mps.privacy",
    "mps.costs",
    "mps.prices",
    "mps.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "mps.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "mps.core.middleware.ViewerMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "mps.urls"
WSGI_APPLICATION = "mps.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mps.core.context_processors.viewer",
            ],
        },
    },
]

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:overview"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Login throttling: this many failures for one user name within the window lock it out.
LOGIN_FAILURE_LIMIT = 5
LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60

LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", "Norsk bokmål"), ("en", "English")]  # each in its own language
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "files")},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Our own pages send what our scanner asks of others.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Plain HTTP answers with a redirect to HTTPS (our scanner's http.no_https_redirect). Behind a
# TLS-terminating proxy it must send X-Forwarded-Proto; MPS_SSL_REDIRECT=0 if the proxy redirects.
SECURE_SSL_REDIRECT = conf.env_bool("MPS_SSL_REDIRECT", not DEBUG)
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # no script reads it: forms carry the token, the API docs get it inline
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60
CSRF_TRUSTED_ORIGINS = conf.env_list("MPS_CSRF_TRUSTED_ORIGINS", [])

EMAIL_BACKEND = (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
DEFAULT_FROM_EMAIL = conf.env_str("MPS_FROM_EMAIL", "mps@localhost")
# Where security researchers report vulnerabilities (RFC 9116 Contact: a mailto: or https: URI).
SECURITY_CONTACT = conf.env_str("MPS_SECURITY_CONTACT", f"mailto:{DEFAULT_FROM_EMAIL}")

# A list price rising by more than this many percent is an alert (docs/prices.md).
PRICE_ALERT_PERCENT = conf.env_int("MPS_PRICE_ALERT_PERCENT", 10, minimum=0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "mps.accounts.backends.OperatorPermissionBackend",
]
