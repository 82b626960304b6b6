"""Who is acting, from where, and under which event: set per request or per command."""

from contextlib import contextmanager
from contextvars import ContextVar

_actor = ContextVar("audit_actor", default=None)
_ip = ContextVar("audit_ip", default=None)
_event = ContextVar("audit_event", default=None)


def current_actor():
    actor = _actor.get()
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return actor.resolve() if hasattr(actor, "resolve") else actor


def current_ip():
    return _ip.get()


def current_event():
    return _event.get()


@contextmanager
def audit_context(*, actor=None, ip=None, event=None):
    """Attribute every change made inside the block to ``actor`` (and ``event``)."""
    tokens = []
    if actor is not None:
        tokens.append((_actor, _actor.set(actor)))
    if ip is not None:
        tokens.append((_ip, _ip.set(ip)))
    if event is not None:
        tokens.append((_event, _event.set(event)))
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)
