"""Build and send an e-mail from its templates: ``<prefix>_subject.txt``, ``<prefix>_body.txt`` and,
when it exists, ``<prefix>_body.html``, in the recipient's language.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation


def absolute_url(path):
    return f"{settings.SITE_URL}{path}"


def recipient_languages(addresses):
    """{address: language} in one query: the language the account at each address chose (``User.language``), else
    the default, French (an address with no account, an invitation to a newcomer, gets French)."""
    # Accounts keep their address in lower case (User.save): the unique index serves this lookup.
    keys = {address: address.strip().lower() for address in addresses}
    accounts = get_user_model()._default_manager.filter(email__in=set(keys.values()), language__gt="")
    chosen = dict(accounts.values_list("email", "language"))
    return {address: chosen.get(key) or settings.LANGUAGE_CODE for address, key in keys.items()}


def recipient_language(address):
    return recipient_languages([address])[address]


def build_email(prefix, to, context=None, *, reply_to=None, language=None):
    """The message, written in ``language``, by default the (first) recipient's, whatever page sent it."""
    first = to if isinstance(to, str) else next(iter(to), "")
    with translation.override(language or recipient_language(first)):
        return _build_email(prefix, to, context, reply_to=reply_to)


def _build_email(prefix, to, context, *, reply_to):
    context = {"site_url": settings.SITE_URL, **(context or {})}
    subject = " ".join(render_to_string(f"{prefix}_subject.txt", context).split())
    body = render_to_string(f"{prefix}_body.txt", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to] if isinstance(to, str) else list(to),
        reply_to=reply_to,
    )
    try:
        message.attach_alternative(render_to_string(f"{prefix}_body.html", context), "text/html")
    except TemplateDoesNotExist:
        pass
    return message


def send_email(prefix, to, context=None, **kwargs):
    message = build_email(prefix, to, context, **kwargs)
    message.send()
    return message
