"""Settings for the publication, read from the environment (twelve-factor).

With nothing set it runs locally: DEBUG on, an SQLite file in the project, mail
printed to the console. Production sets DEBUG=false, SECRET_KEY and ALLOWED_HOSTS
(see the README), and refuses to start without them.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_seconds_list(name: str, default: str) -> list[int]:
    items = env_list(name, default)
    if not all(item.isdigit() for item in items):
        raise ImproperlyConfigured(f"{name} must be whole seconds separated by commas.")
    return [int(item) for item in items]


WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def env_weekday(name: str, default: str) -> int:
    """A day of the week by its English name, as Python numbers them (Monday is 0)."""
    value = env_str(name, default).strip().lower()
    if value not in WEEKDAYS:
        raise ImproperlyConfigured(f"{name} must be a day of the week, like friday, not {value!r}.")
    return WEEKDAYS.index(value)


def env_clock(name: str, default: str) -> tuple[int, int]:
    """A time of day as HH:MM (24-hour)."""
    value = env_str(name, default).strip()
    hours, _, minutes = value.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
        raise ImproperlyConfigured(f"{name} must be a time like 08:00, not {value!r}.")
    return int(hours), int(minutes)


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-local-development-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1", "testserver"}
if DEBUG and any(host not in LOCAL_HOSTS for host in ALLOWED_HOSTS):
    raise ImproperlyConfigured(
        "DEBUG is on while ALLOWED_HOSTS names a public host: set DEBUG=false in production."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

PUBLICATION_NAME = env_str("PUBLICATION_NAME", "The Ledger")
# The public address of the site, for links in emails sent outside a request (invitations).
SITE_URL = env_str("SITE_URL", "" if not DEBUG else "http://127.0.0.1:8000").rstrip("/")
if not SITE_URL:
    raise ImproperlyConfigured("SITE_URL must be set when DEBUG is off, e.g. https://example.com.")

INSTALLED_APPS = [
    "publication",
    "members",
    "articles",
    "letters",
    "ghost",
    "menus",
    # Before django_tasks_db, so its db_worker (the upstream one, made safe to kill) wins.
    "outbox",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    # A Ghost site's pages and old addresses, after an import (ghost/).
    "django.contrib.sites",
    "django.contrib.flatpages",
    "django.contrib.redirects",
    "allauth",
    "allauth.account",
]

MIDDLEWARE = [
    # Every response carries a request id of its own, pages from the page cache too.
    "publication.middleware.RequestIdMiddleware",
    # Cached pages for visitors carry the headers they were made with (CSP and the rest),
    # and are kept compressed for browsers that take gzip.
    "publication.pagecache.VisitorPageCacheMiddleware",
    "publication.middleware.TextGZipMiddleware",
    # ETags from the page as made, before compression (gzip makes them weak): 304s where
    # nothing changed. Pages for logged-in readers (no-store) get none.
    "django.middleware.http.ConditionalGetMiddleware",
    # Cache-Control for a cache in front: public for visitors' pages, else private, no-store.
    "publication.http_cache.SharedCacheHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "publication.middleware.SecurityHeadersMiddleware",
    "publication.middleware.RequestGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "members.middleware.MembersOnlyGateMiddleware",
    # Where nothing else answered (404): an imported page, or an old address's 301.
    "django.contrib.flatpages.middleware.FlatpageFallbackMiddleware",
    "django.contrib.redirects.middleware.RedirectFallbackMiddleware",
]
SITE_ID = 1

# HTTPS and security headers (judged against Mozilla's HTTP Observatory). Local runs are
# plain HTTP, so the HTTPS-only settings follow DEBUG unless the environment says otherwise.
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
if env_bool("BEHIND_PROXY", False):
    # The load balancer terminates TLS and says so in X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
# No inline script or style anywhere: every page works under this policy.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

ROOT_URLCONF = "publication.urls"
WSGI_APPLICATION = "publication.wsgi.application"

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
                "publication.context_processors.publication",
                "menus.context_processors.menus",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The site and the task worker write to one file from two processes. A transaction
    # takes SQLite's write lock when it begins, and waits up to 20 s for it, instead of
    # failing with "database is locked" when it comes to write after reading.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters bound on the server, so psycopg prepares each statement a connection has
    # run five times and PostgreSQL plans it once per connection (a four-table join, like
    # the reader's, costs more to plan than to run). Behind PgBouncer in transaction mode
    # before 1.21, which cannot keep prepared statements, set DATABASE_PREPARED=false.
    DATABASES["default"]["OPTIONS"] = {
        "server_side_binding": True,
        "prepare_threshold": 5 if env_bool("DATABASE_PREPARED", True) else None,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = ["members.backends.ModelBackend", "members.backends.AllauthBackend"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

# Accounts (django-allauth): email is the login; membership is by application, so no signup.
ACCOUNT_ADAPTER = "members.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_PREVENT_ENUMERATION = True
# Every address a reader types is cleaned to its canonical form (members/addresses.py).
ACCOUNT_FORMS = {
    "login": "members.account_forms.LoginForm",
    "request_login_code": "members.account_forms.RequestLoginCodeForm",
    "reset_password": "members.account_forms.ResetPasswordForm",
    "add_email": "members.account_forms.AddEmailForm",
    "change_email": "members.account_forms.ChangeEmailForm",
}
# Behind a load balancer, how many proxies add to X-Forwarded-For (client address for rate limits).
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = env_str("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed names need `collectstatic`, which a deployment runs.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "publication.storage.StaticFilesStorage"
    },
}

# Media (uploads, their renditions, share cards, imported pictures) on object storage when
# a bucket is named, through django-storages' S3 backend with its own setting names; else on
# this host's disk, MEDIA_ROOT. Several hosts need the bucket: each serves what any stored.
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    AWS_S3_ENDPOINT_URL = env_str("AWS_S3_ENDPOINT_URL") or None  # another S3 than AWS's
    AWS_S3_REGION_NAME = env_str("AWS_S3_REGION_NAME") or None
    AWS_ACCESS_KEY_ID = env_str("AWS_ACCESS_KEY_ID") or None  # else boto3's own lookup
    AWS_SECRET_ACCESS_KEY = env_str("AWS_SECRET_ACCESS_KEY") or None
    AWS_S3_CUSTOM_DOMAIN = env_str("AWS_S3_CUSTOM_DOMAIN") or None  # a CDN in front
    # As on disk: a second file of a name gets a name of its own, never replaces the first.
    AWS_S3_FILE_OVERWRITE = False
    # Pictures are public: plain addresses, the same on every page, which caches may keep.
    AWS_QUERYSTRING_AUTH = False
    STORAGES["default"] = {"BACKEND": "articles.storage.MediaStorage"}
    # Pages show pictures from there: the policy lets them (AWS's own hosts by default).
    if AWS_S3_CUSTOM_DOMAIN:
        MEDIA_ORIGIN = f"https://{AWS_S3_CUSTOM_DOMAIN}"
    elif AWS_S3_ENDPOINT_URL:
        MEDIA_ORIGIN = "{0.scheme}://{0.netloc}".format(urlsplit(AWS_S3_ENDPOINT_URL))
    else:
        MEDIA_ORIGIN = "https://*.amazonaws.com"
    CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
        "img-src 'self' data:", f"img-src 'self' data: {MEDIA_ORIGIN}"
    )

# Uploads larger than this are refused by the image validators with a clear message.
IMAGE_MAX_BYTES = env_int("IMAGE_MAX_BYTES", 10 * 1024 * 1024)
IMAGE_MAX_PIXELS = env_int("IMAGE_MAX_PIXELS", 40_000_000)
# A request body larger than this is refused unread (413): a few pictures' worth.
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", 3 * IMAGE_MAX_BYTES)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "sent-mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# A mail server that does not answer must not hold a request (or a worker) for long.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "The Ledger <editors@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Staff's own emails (the managers' notice of a new application), not Django's "[Django] ".
EMAIL_SUBJECT_PREFIX = f"[{PUBLICATION_NAME}] "
# Where replies to the site's emails go ("reply to this email and we will send a new one").
EMAIL_REPLY_TO = env_str("EMAIL_REPLY_TO", DEFAULT_FROM_EMAIL)
# Email goes through the task queue (outbox/tasks.py): tasks are rows in the site's own
# database, run by `manage.py db_worker`. A temporary failure is tried again after each of
# these delays in turn (seconds: about 1 min, 5 min, 30 min, 2 h, 12 h), then it fails.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
EMAIL_RETRY_DELAYS = env_seconds_list("EMAIL_RETRY_DELAYS", "60,300,1800,7200,43200")
# A task running longer than this is taken to belong to a worker that died, and is run
# again; a live worker renews its emails every quarter of it (outbox.tasks.Lease). It must
# outlast the slowest single send (several mail-server steps of EMAIL_TIMEOUT) plus that.
TASK_LEASE = env_int("TASK_LEASE", 12 * EMAIL_TIMEOUT)
# /healthz?queue=1 answers 503 once a due task has waited this long: no worker is running.
QUEUE_MAX_AGE = env_int("QUEUE_MAX_AGE", 5 * 60)
# The weekly members' letter: the day (monday … sunday) and time (HH:MM, the site's
# time zone) it goes out, with the posts published since the last one.
LETTER_WEEKDAY = env_weekday("LETTER_WEEKDAY", "friday")
LETTER_TIME = env_clock("LETTER_TIME", "08:00")
# django-anymail, when mail goes through an email service: every ANYMAIL_<NAME> variable
# is its <NAME> setting (ANYMAIL_WEBHOOK_SECRET, ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY, ...),
# and its webhooks at /anymail/<service>/tracking/ report bounces and complaints.
ANYMAIL = {
    name.removeprefix("ANYMAIL_"): value
    for name, value in os.environ.items()
    if name.startswith("ANYMAIL_") and value
}
# Staff told of each new application: comma-separated addresses.
MANAGERS = [("", address) for address in env_list("MANAGERS")]

ARTICLES_PER_PAGE = env_int("ARTICLES_PER_PAGE", 10)
# A search still running after this long (PostgreSQL) asks the reader for more words.
SEARCH_TIMEOUT_MS = env_int("SEARCH_TIMEOUT_MS", 2000)
# Paragraphs a members-only post shows before its gate when staff put no marker in it.
MEMBERS_PREVIEW_PARAGRAPHS = env_int("MEMBERS_PREVIEW_PARAGRAPHS", 2)

# The Member Waitlist: applications a client address may send per window, and how long
# each emailed link stays valid (seconds).
APPLICATION_RATE_LIMIT = env_int("APPLICATION_RATE_LIMIT", 5)
APPLICATION_EMAIL_RATE_LIMIT = env_int("APPLICATION_EMAIL_RATE_LIMIT", 3)
APPLICATION_RATE_WINDOW = env_int("APPLICATION_RATE_WINDOW", 60 * 60)
# An application counts once its address is confirmed; unconfirmed ones are purged after this.
CONFIRMATION_MAX_AGE = env_int("CONFIRMATION_MAX_AGE", 2 * 24 * 60 * 60)
# The link to an applicant's own page, in every email about their application.
APPLICATION_LINK_MAX_AGE = env_int("APPLICATION_LINK_MAX_AGE", 30 * 24 * 60 * 60)
# The login link emailed to a member who applies again.
LOGIN_LINK_MAX_AGE = env_int("LOGIN_LINK_MAX_AGE", 60 * 60)
INVITATION_MAX_AGE = env_int("INVITATION_MAX_AGE", 7 * 24 * 60 * 60)
# A declined applicant may apply again this many days after the decision.
REAPPLY_AFTER_DAYS = env_int("REAPPLY_AFTER_DAYS", 180)

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SHARED_CACHE = env_str("REDIS_URL") or env_str("CACHE_URL")
# A slow or silent Redis must not hold a worker: each call gives up after this, and the
# worker then leaves Redis alone for REDIS_RETRY_SECONDS (publication/cache.py).
REDIS_TIMEOUT_MS = env_int("REDIS_TIMEOUT_MS", 200)
REDIS_RETRY_SECONDS = env_int("REDIS_RETRY_SECONDS", 5)
if SHARED_CACHE:
    REDIS = {
        "BACKEND": "publication.cache.RedisCache",
        "LOCATION": SHARED_CACHE,
        "OPTIONS": {
            "socket_connect_timeout": REDIS_TIMEOUT_MS / 1000,
            "socket_timeout": REDIS_TIMEOUT_MS / 1000,
            "retry_seconds": REDIS_RETRY_SECONDS,
        },
    }
    # Shared by every worker, so rate limits and the page cache hold across processes;
    # while Redis fails it answers as an empty cache, so rate limits fail open.
    CACHES["default"] = {**REDIS, "OPTIONS": {**REDIS["OPTIONS"], "fail_open": True}}
    # The same Redis for sessions, which must know when it fails (publication/sessions.py).
    CACHES["sessions"] = REDIS
SESSION_CACHE_ALIAS = "sessions" if SHARED_CACHE else "default"
SESSION_ENGINE = "publication.sessions" if SHARED_CACHE else "django.contrib.sessions.backends.db"
# Rendered parts of post pages, kept by each worker: their keys carry the post's revision
# (articles/revisions.py), so no worker serves a stale one and none needs telling. Their
# lifetime is set where they are cached (templates/articles/article_detail.html).
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "fragments",
    "OPTIONS": {"MAX_ENTRIES": env_int("FRAGMENT_CACHE_ENTRIES", 400)},
}
# Whole pages for visitors without cookies, only on a shared cache (see publication/pagecache.py).
PAGE_CACHE = env_bool("PAGE_CACHE", bool(SHARED_CACHE))
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 300)
# How long an HTTP cache in front (nginx, a CDN) may keep a visitor's page: short, as
# nothing tells it of a change (publication/http_cache.py).
SHARED_CACHE_SECONDS = env_int("SHARED_CACHE_SECONDS", 60)
# Where to tell that cache of a post's change (articles/purge.py): Cloudflare's purge_cache
# endpoint takes what is sent, with PURGE_TOKEN as its API token. Unset: nobody is told.
PURGE_URL = env_str("PURGE_URL")
PURGE_TOKEN = env_str("PURGE_TOKEN")
# Which posts list pages and searches show (ids and revisions, never text), for members
# too (a search by what they may read), in Redis as long (publication/answers.py).
LIST_CACHE = bool(SHARED_CACHE) and env_bool("LIST_CACHE", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "publication.logging.JsonFormatter"}},
    "filters": {"without_static": {"()": "publication.logging.WithoutStaticRequests"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
        }
    },
    "root": {"handlers": ["stdout"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Request errors go out once, through the root handler, as one JSON line each.
        "django": {"handlers": [], "level": env_str("LOG_LEVEL", "INFO"), "propagate": True},
        # Each SQL statement at DEBUG would be too much even for LOG_LEVEL=DEBUG.
        "django.db.backends": {"level": "INFO"},
        # runserver's own request lines (gunicorn has its access log).
        "django.server": {"filters": ["without_static"], "propagate": True},
    },
}
