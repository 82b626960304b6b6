from django.conf import settings
from django.utils import translation


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
