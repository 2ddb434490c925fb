"""Things registered in code under a unique name: notification kinds, alert kinds, timer handlers.

Each domain keeps one module-level Registry and exposes its own small functions around it, so a
kind or handler added by a later capability is one `register(...)` call beside its code, and tests
can add their own and remove them afterwards.
"""
from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """Named entries; registering a second, different entry under a taken name is refused."""

    def __init__(self, what: str, missing: type[LookupError] = LookupError):
        self.what = what
        self.missing = missing
        self._entries: dict[str, T] = {}

    def register(self, name: str, entry: T) -> T:
        if name in self._entries and self._entries[name] is not entry:
            raise ValueError(f"{self.what} {name!r} is already registered")
        self._entries[name] = entry
        return entry

    def unregister(self, name: str) -> None:
        """Remove an entry (tests register their own and remove them afterwards)."""
        self._entries.pop(name, None)

    def get(self, name: str) -> T:
        """The entry called `name`; `missing` (a LookupError) when there is none."""
        try:
            return self._entries[name]
        except KeyError:
            raise self.missing(f"no {self.what} named {name!r} is registered") from None

    def find(self, name: str) -> T | None:
        return self._entries.get(name)

    def names(self) -> list[str]:
        return sorted(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._entries.values()))
