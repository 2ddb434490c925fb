"""A test-only channel that misbehaves: it raises on odd delivery ids and answers a bare string
instead of an Outcome on even ones."""


def send(delivery, notification, kind, app_config):
    if delivery.id % 2:
        raise RuntimeError("the line dropped")
    return "delivered"
