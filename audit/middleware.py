from django.conf import settings

from .context import audit_context


def client_ip(request):
    """The client's address, for the audit trail and the sign-in lockout.

    Behind a reverse proxy every request comes from the proxy, so the proxy's header
    (settings.REAL_IP_HEADER, e.g. "HTTP_X_REAL_IP") is trusted instead, but only when
    configured: a client could otherwise forge it.
    """
    header = settings.REAL_IP_HEADER
    if header and request.META.get(header):
        return request.META[header].split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The user is resolved lazily, so anonymous requests cost no query.
        with audit_context(actor=_LazyUser(request), ip=client_ip(request)):
            return self.get_response(request)


class _LazyUser:
    """Defers ``request.user`` until a change is actually recorded."""

    def __init__(self, request):
        self._request = request

    @property
    def is_authenticated(self):
        user = getattr(self._request, "user", None)
        return bool(user and user.is_authenticated)

    def resolve(self):
        return self._request.user
