"""Role gates for routes; object-level checks live in each domain's services."""
from functools import wraps

from flask_login import current_user

from backend.errors import Forbidden
from backend.accounts.services import unauthorized


def signed_in(view):
    """Only for a signed-in user (any role)."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            unauthorized()
        return view(*args, **kwargs)
    return wrapper


def requires_roles(*roles: str):
    """Only for a signed-in user holding one of `roles`."""
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                unauthorized()
            if not current_user.has_role(*roles):
                raise Forbidden()
            return view(*args, **kwargs)
        wrapper.linli_roles = roles
        return wrapper
    return decorator
