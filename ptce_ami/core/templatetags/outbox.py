"""``{% emails_about obj as emails %}``: the outbox's messages about an object, oldest first (one query)."""

from django import template

from ptce_ami.core.models import OutboundEmail

register = template.Library()


@register.simple_tag
def emails_about(obj):
    fields = ["recipient", "subject", "status", "created_at", "sent_at"]
    return list(OutboundEmail.objects.about(obj).only(*fields).order_by("created_at", "pk"))
