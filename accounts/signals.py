from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.middleware import client_ip
from audit.models import Event

from .lockout import locked_until
from .middleware import mark_renewed


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    mark_renewed(request.session)  # signing in saves the session anyway
    Event.objects.create(
        kind=Event.Kind.LOGIN, actor=user, username=user.username, ip=client_ip(request)
    )


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        Event.objects.create(
            kind=Event.Kind.LOGOUT, actor=user, username=user.username, ip=client_ip(request)
        )


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials.get("username") or "")[:150]
    ip = client_ip(request) if request is not None else None
    kind = Event.Kind.LOGIN_BLOCKED if locked_until(username, ip) else Event.Kind.LOGIN_FAILED
    Event.objects.create(kind=kind, username=username, ip=ip)
