from .context import audit_context


def client_ip(request):
    """The client address. Behind nginx, REMOTE_ADDR is set from X-Real-IP by the proxy."""
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
