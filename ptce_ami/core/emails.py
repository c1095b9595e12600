"""Build and send an e-mail from its templates: ``<prefix>_subject.txt``, ``<prefix>_body.txt`` and,
when it exists, ``<prefix>_body.html``.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string


def absolute_url(path):
    return f"{settings.SITE_URL}{path}"


def build_email(prefix, to, context=None, *, reply_to=None):
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
