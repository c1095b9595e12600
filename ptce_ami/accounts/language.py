"""The interface's language: French by default, English on request, remembered per user.

The language of a page is, in this order: the one the signed-in account chose (copied into its session at login),
the one this browser chose before signing in (a cookie), else French. The browser's Accept-Language is not
followed: the service is French first, and a page never announces a language it is not written in (RGAA 8.3).
E-mails and PDF notices follow their recipient's account (``User.language``), not the sender's page.
"""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import translation
from django.utils.cache import patch_vary_headers

SESSION_KEY = "_language"
COOKIE_AGE = 365 * 24 * 60 * 60


def supported(language):
    return language if language in dict(settings.LANGUAGES) else None


def chosen_language(request):
    session = getattr(request, "session", None)
    return (
        supported(session.get(SESSION_KEY) if session is not None else None)
        or supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
        or settings.LANGUAGE_CODE
    )


def remember(request, response, language):
    """Make ``language`` this browser's and, when signed in, the account's choice."""
    request.session[SESSION_KEY] = language
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=COOKIE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    user = request.user
    if user.is_authenticated and user.language != language:
        user.language = language
        user.save(update_fields=["language"])


@receiver(user_logged_in, dispatch_uid="accounts_language_at_login")
def use_the_accounts_language(sender, request, user, **kwargs):
    """From the login on, pages speak the account's language (chosen on another device, say). An account that never
    chose adopts the language this browser chose before signing in: its e-mails follow from then on."""
    if request is None or not hasattr(request, "session"):
        return
    language = supported(user.language)
    if language is None:
        language = supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
        if language is not None:
            user.language = language
            user.save(update_fields=["language"])
    if language is not None:
        request.session[SESSION_KEY] = language


class LanguageMiddleware:
    """Activate the page's language (see the module) and say it in Content-Language; replaces Django's
    LocaleMiddleware, which would follow the browser's Accept-Language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = chosen_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        # A view may have changed it (the switch itself, a login): say the language the page was written in.
        response.headers.setdefault("Content-Language", translation.get_language())
        patch_vary_headers(response, ("Cookie",))
        return response
