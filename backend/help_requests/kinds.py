"""The notifications help requests send, registered at import time (backend/notifications/kinds.py)."""
from datetime import timedelta

from backend.notifications.kinds import Kind, register

# A rating of 2 or less: the grid's workers call the resident back (回访). The lock screen shows
# the title only; who it is about appears in the app.
CALLBACK_NEEDED = register(Kind(
    code="help_request_callback",
    texts={"zh-CN": ("需要回访", "{subject}对这次帮助的评价是 {rating} 星，请电话回访。"),
           "en": ("Call-back needed", "{subject} rated this help {rating} out of 5. Please call them back.")},
    params=("subject", "rating"),
    push_params=("rating",),
    channels=("inapp", "push"),
    ttl=timedelta(days=7),
    topic="callback-{help_request_id}",
    url="/help-requests/{help_request_id}",
))
