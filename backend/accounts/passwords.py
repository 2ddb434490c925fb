"""Password and PIN hashing (argon2id) and the rules a new password must meet."""
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from zxcvbn.frequency_lists import FREQUENCY_LISTS

# Passwords common in China that the international list ranks low or misses.
_COMMON_IN_CHINA = {
    "5201314", "52013140", "woaini1314", "woaini520", "iloveyou", "qq123456", "qwe123456",
    "a123456", "a12345678", "aa123456", "abc123456", "123456a", "123456abc", "1qaz2wsx",
    "zxcvbnm", "asdfghjkl", "qazwsxedc", "147258369", "123123123", "88888888", "66666666",
    "11111111", "00000000", "12341234", "521521521", "woaini", "wangyi", "huawei123",
    "linli123", "linli2026", "password1", "admin123", "admin888", "12344321", "789456123",
    "159753", "159357", "1314520", "7758521", "a1b2c3d4", "abcd1234", "1234qwer", "qwer1234",
}


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"][:10000]) | _COMMON_IN_CHINA


def is_common_password(password: str) -> bool:
    return password.lower() in _common_passwords()


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_COST"],
        parallelism=config["ARGON2_PARALLELISM"],
    )


def hash_secret(secret: str) -> str:
    return _hasher().hash(secret)


def verify_secret(stored_hash: str | None, secret: str) -> bool:
    """True when `secret` matches; with no stored hash, still spends the time of a check."""
    hasher = _hasher()
    try:
        if stored_hash is None:
            hasher.verify(_dummy_hash(), secret + "-no-such-user")
            return False
        return hasher.verify(stored_hash, secret)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher().check_needs_rehash(stored_hash)


def _dummy_hash() -> str:
    cache = current_app.extensions.setdefault("linli_dummy_hash", {})
    key = (current_app.config["ARGON2_TIME_COST"], current_app.config["ARGON2_MEMORY_COST"])
    if key not in cache:
        cache[key] = _hasher().hash("linli-dummy-password")
    return cache[key]
