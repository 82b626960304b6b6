import logging

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction
from django.shortcuts import render
from django.utils import translation

from .db import is_database_locked, is_statement_timeout

log = logging.getLogger(__name__)


class ContentSecurityPolicyMiddleware:
    """Only the app's own assets may load (no CDN, no inline script or style)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class ChineseFirstLocaleMiddleware:
    """Chinese unless the user chose otherwise with the language switch (a cookie).

    Unlike LocaleMiddleware it ignores the browser's Accept-Language, so a shared PC with
    an English browser still shows the Chinese UI.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class RequestTransactionMiddleware:
    """ATOMIC_REQUESTS for the requests that write, and a clear page when the database
    gives up on a statement.

    - POST, PUT, PATCH and DELETE run their view in one transaction (on SQLite an
      IMMEDIATE one: it takes the write lock at once), so a failed request leaves nothing
      half-written, as ``ATOMIC_REQUESTS`` did.
    - GET, HEAD and OPTIONS run without a transaction: every statement sees the data
      committed so far. On SQLite a read then never takes the write lock, so a long import
      does not hold up anyone who is only reading (with WAL, readers and the one writer
      do not block each other). A read that must write (renewing the session) does so in
      its own short transaction.
    - A view marked ``transaction.non_atomic_requests`` manages its own transactions.
    - A statement cancelled by PostgreSQL's ``statement_timeout``, or a write that waited
      for SQLite's write lock longer than its busy timeout, answers 503 with a page that
      says what to do (narrow the filters, try again), instead of a server error. The
      transaction is rolled back and the server has already stopped the statement.

    It must be the last middleware: it calls the view from ``process_view`` (after every
    other middleware's ``process_view``, e.g. the CSRF check). Exceptions raised by the
    view reach this middleware's ``process_exception`` and then Django's handlers
    (404, 403, 500) as usual; no other middleware here has a ``process_exception``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        atomic = request.method not in SAFE_METHODS and DEFAULT_DB_ALIAS not in getattr(
            view_func, "_non_atomic_requests", ()
        )
        try:
            if atomic:
                with transaction.atomic():
                    return view_func(request, *view_args, **view_kwargs)
            return view_func(request, *view_args, **view_kwargs)
        except Exception as error:
            response = self.process_exception(request, error)
            if response is None:
                raise
            return response

    def process_exception(self, request, exception):
        # Also called by Django for an exception raised while rendering a TemplateResponse.
        if is_statement_timeout(exception):
            kind = "timeout"
        elif is_database_locked(exception):
            kind = "locked"
        else:
            return None
        log.warning("%s %s: %s", request.method, request.get_full_path()[:300], kind)
        response = render(
            request,
            "database_busy.html",
            {"kind": kind, "retry_url": request.get_full_path()},
            status=503,
        )
        response["Retry-After"] = "30"
        return response
