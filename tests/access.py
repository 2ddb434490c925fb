"""The row type of the access matrix (see tests/test_authorization_matrix.py)."""
import re
from collections.abc import Callable
from dataclasses import dataclass, field

_PARAM = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


@dataclass
class Expect:
    """Expected status per actor. `default` covers actors not named in `statuses`.

    body(world) builds a valid request body for writes; params(world) adds URL parameter
    values to World.path_params() (e.g. an emergency contact's id)."""

    statuses: dict[str, int] = field(default_factory=dict)
    default: int = 403
    anonymous: int = 401
    body: Callable | None = None
    query: Callable | None = None
    params: Callable | None = None

    def status_for(self, actor: str) -> int:
        if actor == "anonymous":
            return self.statuses.get("anonymous", self.anonymous)
        return self.statuses.get(actor, self.default)

    def path(self, rule: str, world) -> str:
        values = world.path_params()
        if self.params:
            values.update(self.params(world))
        return _PARAM.sub(lambda match: str(values[match.group(1)]), rule)
