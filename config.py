"""Linli configuration: the one place that reads the environment.

`LINLI_ENV` picks the class (development, production); tests pass their own mapping to
`create_app(test_config)` on top of `TestConfig`. Every variable is listed in README.md.
"""
import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_int(name: str, default: int) -> int:
    return int(_env(name, str(default)))


def _env_ints(name: str, default: str) -> tuple[int, ...]:
    """A comma-separated list of positive whole numbers, e.g. MATCHING_WAVE_SIZES=3,5,10."""
    text = _env(name, default)
    try:
        numbers = tuple(int(part) for part in text.split(","))
    except ValueError:
        numbers = ()
    if not numbers or min(numbers) < 1:
        raise RuntimeError(f"{name} must be positive whole numbers separated by commas, not {text!r}")
    return numbers


def _env_community_hours(name: str) -> dict[int, float]:
    """Per-community hours, e.g. TIMEBANK_GIFT_YEARLY_CAPS=3=60,7=0 (community id = hours)."""
    text = _env(name, "")
    caps: dict[int, float] = {}
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        community, _, hours = part.partition("=")
        try:
            caps[int(community)] = float(hours)
        except ValueError:
            raise RuntimeError(f"{name} must be community_id=hours pairs separated by commas, not {text!r}") from None
        if not 0 <= caps[int(community)] <= 10_000:
            raise RuntimeError(f"{name}: {part!r} must give 0 to 10000 hours")
    return caps


def _database_url(url: str) -> str:
    # Accept the plain postgresql:// form people copy from their provider; Linli uses psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    """Settings shared by every environment; each is overridable by an environment variable."""

    SECRET_KEY = _env("SECRET_KEY", "linli-development-only-secret")
    SQLALCHEMY_DATABASE_URI = _database_url(
        _env("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'linli.db'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    PUBLIC_BASE_URL = _env("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 1024 * 1024)
    # How many reverse proxies stand in front (nginx: 1); their X-Forwarded-* headers are
    # trusted for the client's address (rate limits) and scheme. 0: trust none.
    TRUSTED_PROXY_HOPS = _env_int("TRUSTED_PROXY_HOPS", 0)

    # Sessions: a signed cookie carries only the id of a server-side device session.
    SESSION_COOKIE_NAME = "linli_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    DEVICE_COOKIE_NAME = "linli_device"
    PERMANENT_SESSION_LIFETIME = timedelta(days=90)
    STAFF_IDLE_TIMEOUT = timedelta(minutes=_env_int("STAFF_IDLE_TIMEOUT_MINUTES", 120))
    STAFF_ABSOLUTE_TIMEOUT = timedelta(hours=_env_int("STAFF_ABSOLUTE_TIMEOUT_HOURS", 12))
    MEMBER_IDLE_TIMEOUT = timedelta(days=_env_int("MEMBER_IDLE_TIMEOUT_DAYS", 90))

    # Passwords: argon2id at OWASP ASVS 5.0 Appendix C (t=2, m=19 MiB, p=1).
    ARGON2_TIME_COST = 2
    ARGON2_MEMORY_COST = 19 * 1024
    ARGON2_PARALLELISM = 1
    PASSWORD_MIN_LENGTH = 8

    # Brute force: strict per phone number / device, loose per address (many people share one).
    RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_STRATEGY = "moving-window"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_LIMIT_PER_PHONE = _env("LOGIN_LIMIT_PER_PHONE", "5 per 15 minutes")
    LOGIN_LIMIT_PER_IP = _env("LOGIN_LIMIT_PER_IP", "300 per 15 minutes")
    LINK_LIMIT_PER_IP = _env("LINK_LIMIT_PER_IP", "10 per 15 minutes")
    VOLUNTEER_REGISTRATION_LIMIT = _env("VOLUNTEER_REGISTRATION_LIMIT", "10 per hour")

    LINK_CODE_LIFETIME = timedelta(hours=24)

    API_TITLE = "Linli 邻里 API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"

    # Web Push (docs/push.md). The VAPID key pair tells browsers' push services that a push
    # comes from this server; without one configured, development and tests generate a pair
    # once into instance/vapid.json, production refuses to start.
    VAPID_PRIVATE_KEY = _env("VAPID_PRIVATE_KEY")
    VAPID_PUBLIC_KEY = _env("VAPID_PUBLIC_KEY")
    VAPID_SUBJECT = _env("VAPID_SUBJECT", "mailto:linli@localhost")
    VAPID_KEYS_IN_INSTANCE = True
    # The longest a push service is asked to keep a message for an offline phone; a kind's own
    # remaining lifetime is sent when it is shorter (pywebpush's default of 0 drops the message).
    PUSH_TTL_SECONDS = _env_int("PUSH_TTL_SECONDS", 4 * 7 * 24 * 3600)
    PUSH_TIMEOUT_SECONDS = float(_env("PUSH_TIMEOUT_SECONDS", "10"))
    PUSH_CONNECTIONS = _env_int("PUSH_CONNECTIONS", 16)  # kept open per push service host
    PUSH_ALLOW_LOOPBACK_HTTP = True  # http://127.0.0.1 endpoints: the test suite's push service

    # Notifications (docs/notifications.md) and the worker process (docs/operations.md).
    SMS_PROVIDER = _env("SMS_PROVIDER", "log")  # "log", or "package.module:ProviderClass"
    SMS_DAILY_CAP = _env_int("SMS_DAILY_CAP", 5)  # ordinary SMS per person per day; safety: no cap
    PUSH_SUBSCRIPTION_MAX_FAILURES = _env_int("PUSH_SUBSCRIPTION_MAX_FAILURES", 5)
    DELIVERY_BACKOFF_BASE_SECONDS = _env_int("DELIVERY_BACKOFF_BASE_SECONDS", 10)
    DELIVERY_BACKOFF_MAX_SECONDS = _env_int("DELIVERY_BACKOFF_MAX_SECONDS", 3600)
    WORKER_BATCH_SIZE = _env_int("WORKER_BATCH_SIZE", 100)
    WORKER_PUSH_CONCURRENCY = _env_int("WORKER_PUSH_CONCURRENCY", 8)  # pushes in flight at once, per worker
    WORKER_LEASE_SECONDS = _env_int("WORKER_LEASE_SECONDS", 300)
    WORKER_IDLE_SECONDS = float(_env("WORKER_IDLE_SECONDS", "1"))
    WORKER_HEARTBEAT_SECONDS = _env_int("WORKER_HEARTBEAT_SECONDS", 15)
    # How often the PWA asks for the unread count while it is open and in view (written into the shell).
    INBOX_POLL_SECONDS = _env_int("INBOX_POLL_SECONDS", 30)
    HEALTH_MAX_HEARTBEAT_AGE_SECONDS = _env_int("HEALTH_MAX_HEARTBEAT_AGE_SECONDS", 120)
    HEALTH_MAX_SAFETY_DELIVERY_AGE_SECONDS = _env_int("HEALTH_MAX_SAFETY_DELIVERY_AGE_SECONDS", 300)
    VERIFICATION_CODES_PER_PHONE_PER_HOUR = _env_int("VERIFICATION_CODES_PER_PHONE_PER_HOUR", 5)
    VERIFICATION_CODE_INTERVAL = timedelta(seconds=60)  # between two codes to one phone
    VERIFICATION_CODE_LIMIT_PER_IP = _env("VERIFICATION_CODE_LIMIT_PER_IP", "30 per hour")

    # Alerts (docs/alerts.md): minutes an alert may wait for "我来处理" before it escalates, per
    # alert kind ("sos=5,missed_check_in=30"; unnamed kinds keep their own default), and how many
    # reminders the admins get, one window apart, once it has reached them. Checked at start-up.
    ALERT_ACK_MINUTES = _env("ALERT_ACK_MINUTES", "")
    ALERT_MAX_REMINDERS = _env_int("ALERT_MAX_REMINDERS", 6)

    # Help requests (docs/help_requests.md): a check-in farther than this from the request's
    # location is flagged (never refused); the hours one visit counts at most, and per category.
    HELP_REQUEST_CHECK_IN_FAR_METRES = _env_int("HELP_REQUEST_CHECK_IN_FAR_METRES", 500)
    HELP_REQUEST_HOURS_CAP = _env_int("HELP_REQUEST_HOURS_CAP", 4)
    HELP_REQUEST_HOURS_CAPS: dict[str, float] = {}  # e.g. {"escort": 6}
    # An as-soon-as-possible request nobody took expires this long after it was asked (or opened
    # again); a completion nobody confirms goes to the grid's workers after this many hours.
    HELP_REQUEST_ASAP_EXPIRY_HOURS = _env_int("HELP_REQUEST_ASAP_EXPIRY_HOURS", 24)
    HELP_REQUEST_CONFIRM_HOURS = _env_int("HELP_REQUEST_CONFIRM_HOURS", 72)

    # Matching (docs/matching.md): offers go out in waves of these sizes, a wave every so many
    # minutes (urgent / normal requests); a scheduled request's first wave goes out this many hours
    # before its window. MATCHING_WEIGHTS overrides the score's weights: {"default": {...},
    # <community id>: {...}} with the keys distance, continuity, fairness, rating, reliability, language.
    MATCHING_WAVE_SIZES = _env_ints("MATCHING_WAVE_SIZES", "3,5,10")
    MATCHING_URGENT_MINUTES = _env_int("MATCHING_URGENT_MINUTES", 5)
    MATCHING_NORMAL_MINUTES = _env_int("MATCHING_NORMAL_MINUTES", 30)
    MATCHING_SCHEDULED_LEAD_HOURS = _env_int("MATCHING_SCHEDULED_LEAD_HOURS", 24)
    MATCHING_WEIGHTS: dict = {}

    # SOS (docs/safety.md): the countdown the app shows before sending (5–10 s), and the SOS's own
    # help request's waves — a bigger first wave and a shorter interval than urgent requests — and
    # its ranking's weights (the nearest first; keys as MATCHING_WEIGHTS, missing ones count 0).
    SOS_COUNTDOWN_SECONDS = _env_int("SOS_COUNTDOWN_SECONDS", 5)
    SOS_WAVE_SIZES = _env_ints("SOS_WAVE_SIZES", "8,12,20")
    SOS_WAVE_MINUTES = _env_int("SOS_WAVE_MINUTES", 2)
    SOS_WEIGHTS: dict = {"distance": 0.8, "continuity": 0.2}

    # Batch plans (docs/batch_plans.md): a scheduled request whose window starts on a later local
    # date is held for that date's plan (BATCH_HOLD=0: waves only). The worker process plans and
    # sends a date's held requests at BATCH_NIGHTLY_TIME (local, the day before) for the grids
    # nobody planned by hand; waves start anyway BATCH_GRACE_MINUTES after it. A planned volunteer
    # has BATCH_ANSWER_HOURS to answer (at the latest until BATCH_WAVES_BEFORE_HOURS before the
    # window) before the waves start; a plan weighs each request's BATCH_CANDIDATES best candidates
    # (0: every eligible one) and takes at most BATCH_MAX_REQUESTS requests (the rest wait for the waves).
    BATCH_HOLD = _env("BATCH_HOLD", "1") not in ("0", "false", "no")
    BATCH_NIGHTLY_TIME = _env("BATCH_NIGHTLY_TIME", "20:00")
    BATCH_GRACE_MINUTES = _env_int("BATCH_GRACE_MINUTES", 60)
    BATCH_ANSWER_HOURS = _env_int("BATCH_ANSWER_HOURS", 12)
    BATCH_WAVES_BEFORE_HOURS = _env_int("BATCH_WAVES_BEFORE_HOURS", 6)
    BATCH_CANDIDATES = _env_int("BATCH_CANDIDATES", 0)
    BATCH_MAX_REQUESTS = _env_int("BATCH_MAX_REQUESTS", 500)
    # A worker's capacity for a day's plan, for the task kinds workers may take (a volunteer's is
    # their load cap).
    BATCH_WORKER_CAPACITY = _env_int("BATCH_WORKER_CAPACITY", 8)
    # An emergency sweep (docs/safety.md, "The emergency sweep"): how many open checks one worker
    # and one volunteer may hold at once across open sweeps (the assignment respects both).
    SWEEP_WORKER_CAPACITY = _env_int("SWEEP_WORKER_CAPACITY", 40)
    SWEEP_VOLUNTEER_CAPACITY = _env_int("SWEEP_VOLUNTEER_CAPACITY", 15)
    # Sweeps of more households than SWEEP_EXACT_UP_TO are assigned in groups of up to
    # SWEEP_GROUP_SIZE neighbours of one building (the engine's work grows with capacity).
    SWEEP_EXACT_UP_TO = _env_int("SWEEP_EXACT_UP_TO", 2000)
    SWEEP_GROUP_SIZE = _env_int("SWEEP_GROUP_SIZE", 5)
    # A worker's day of household visits (docs/visits.md): the working day (local), the time a
    # visit takes, and walking: straight-line distance × VISIT_DETOUR_FACTOR at VISIT_WALKING_KMH.
    VISIT_DAY_START = _env("VISIT_DAY_START", "08:30")
    VISIT_DAY_END = _env("VISIT_DAY_END", "17:30")
    VISIT_SERVICE_MINUTES = _env_int("VISIT_SERVICE_MINUTES", 20)
    VISIT_DETOUR_FACTOR = float(_env("VISIT_DETOUR_FACTOR", "1.3"))
    VISIT_WALKING_KMH = float(_env("VISIT_WALKING_KMH", "4.5"))

    # Time bank (docs/timebank.md): the hours a volunteer may give to family members in a calendar
    # year, for every community and per community id; the most hours a worker may add by hand at once.
    TIMEBANK_GIFT_YEARLY_CAP_HOURS = _env_int("TIMEBANK_GIFT_YEARLY_CAP_HOURS", 40)
    TIMEBANK_GIFT_YEARLY_CAPS: dict[int, float] = _env_community_hours("TIMEBANK_GIFT_YEARLY_CAPS")
    TIMEBANK_RECORDED_MAX_HOURS = _env_int("TIMEBANK_RECORDED_MAX_HOURS", 8)

    # Neighbourhood services (docs/providers.md): how far from a request a provider that does not
    # deliver is still offered it.
    PROVIDER_REACH_KM = float(_env("PROVIDER_REACH_KM", "1.5"))

    PWA_DIR = BASE_DIR / "pwa"
    # The PWA's files are sent compressed (backend/pwa.py), whatever is in front of the app: an
    # old phone on a weak signal downloads about a third of the bytes. Brotli first (every browser
    # Linli supports), then gzip; nothing is compressed unless the browser asks.
    COMPRESS_REGISTER = False  # only the PWA's views, never the API's answers
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_BR_LEVEL = 5
    COMPRESS_MIN_SIZE = 500
    # Shown by the PWA to browsers without JavaScript while no community has a phone yet.
    COMMUNITY_PHONE_FALLBACK = _env("COMMUNITY_PHONE_FALLBACK")
    CONTENT_SECURITY_POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; "
        "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )


class DevelopmentConfig(Config):
    """`make run`: the embedded SQLite database under instance/."""

    # The `log` SMS provider also writes each message's text (verification codes included) to the
    # worker's log at INFO, so a developer can sign up without an admin's SMS log. Never in production.
    SMS_LOG_TEXT = True


class ProductionConfig(Config):
    """Behind an HTTPS reverse proxy: secure, host-only cookies and a real secret."""

    SECRET_KEY = _env("SECRET_KEY")
    SESSION_COOKIE_NAME = "__Host-linli_session"
    SESSION_COOKIE_SECURE = True
    DEVICE_COOKIE_NAME = "__Host-linli_device"
    PREFERRED_URL_SCHEME = "https"
    VAPID_SUBJECT = _env("VAPID_SUBJECT")
    VAPID_KEYS_IN_INSTANCE = False
    PUSH_ALLOW_LOOPBACK_HTTP = False


class TestConfig(Config):
    """The test suite: a database of its own and cheap password hashing."""

    TESTING = True
    SQLALCHEMY_DATABASE_URI = _database_url(_env("TEST_DATABASE_URL", "sqlite://"))
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 8
    RATELIMIT_STORAGE_URI = "memory://"
    LOGIN_LIMIT_PER_IP = "1000 per 15 minutes"
    BATCH_HOLD = False  # the other domains' tests see plain waves; tests/batch turns holding on


CONFIGS = {"development": DevelopmentConfig, "production": ProductionConfig, "test": TestConfig}


def selected_config() -> type[Config]:
    """The config class named by LINLI_ENV (development when unset)."""
    name = _env("LINLI_ENV", "development")
    if name not in CONFIGS:
        raise RuntimeError(f"LINLI_ENV must be one of {sorted(CONFIGS)}, not {name!r}")
    return CONFIGS[name]
