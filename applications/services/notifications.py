"""E-mails of the applications app, through the outbox, one template set each
(templates/applications/email/<name>_*).
"""

from django.urls import reverse

from ptce_ami.core.emails import absolute_url
from ptce_ami.core.outbox import queue_email


def send_coeditor_invitation(invitation):
    """Queue the invitation to co-edit a dossier: once per invitation (inviting again the same address is a no-op)."""
    dossier = invitation.dossier
    context = {
        "dossier": dossier,
        "invited_by": invitation.invited_by,
        "dossier_url": absolute_url(dossier.get_absolute_url()),
        "signup_url": absolute_url(reverse("accounts:signup")),
    }
    return queue_email(
        "applications/email/coeditor_invitation",
        invitation.email,
        context,
        key=f"coeditor:{invitation.pk}",
        related=dossier,
    )
