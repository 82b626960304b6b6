import time

from django.conf import settings

RENEWED_AT = "_renewed_at"


class IdleTimeoutMiddleware:
    """Signs a user out after SESSION_COOKIE_AGE seconds without a request.

    Each request moves the session's expiry forward, but at most once every
    SESSION_RENEW_SECONDS: saving the session is a database write, and writing on every
    page view would cost more than the page itself once pages come from the cache. So
    the idle timeout is between SESSION_COOKIE_AGE − SESSION_RENEW_SECONDS and
    SESSION_COOKIE_AGE.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            last = request.session.get(RENEWED_AT, 0)
            if time.time() - last >= settings.SESSION_RENEW_SECONDS:
                mark_renewed(request.session)  # modified: saved with a new expiry
        return response


def mark_renewed(session):
    session[RENEWED_AT] = int(time.time())
