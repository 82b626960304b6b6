from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from audit.middleware import client_ip

from .lockout import locked_until


class LockoutModelBackend(ModelBackend):
    """ModelBackend that refuses a locked (username, address) pair on every sign-in path."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is not None and username and locked_until(username, client_ip(request)):
            raise PermissionDenied
        return super().authenticate(request, username=username, password=password, **kwargs)
