"""Registration codes as a newcomer's phone gets them: asked for through the API (or the service the
route calls), sent by the worker with the `log` SMS provider, read from the SMS the phone received."""
import re

from flask import current_app
from sqlalchemy import select

from backend.extensions import db
from backend.notifications.models import SmsMessage
from backend.notifications.services.verification_codes import request_code
from backend.notifications.worker import Worker

PURPOSE = "volunteer_registration"


def ask_for_code(client, phone: str, **kwargs):
    """POST /verification-codes as the sign-up screen does; the API's answer."""
    return client.post("/api/v1/verification-codes", {"phone": phone, "purpose": PURPOSE}, **kwargs)


def code_received(phone: str) -> str:
    """Let a worker send what is due (`flask worker --once`), then read the code in the latest SMS
    to `phone`: what the person would type. The worker runs in an app context of its own, as in
    its own process, so it leaves the caller's session and objects alone."""
    app = current_app._get_current_object()
    with app.app_context():
        Worker(app).run(once=True)
    text = db.session.scalars(select(SmsMessage.text).where(SmsMessage.phone == phone)
                              .order_by(SmsMessage.id.desc())).first()
    assert text is not None, f"no SMS reached {phone}"
    return re.search(r"\d{6}", text).group()


def code_for(phone: str) -> str:
    """A fresh registration code for `phone`, asked for through the service the route calls (for
    callers with no client at hand, such as the access matrix's request bodies)."""
    request_code(phone, PURPOSE)
    return code_received(phone)
