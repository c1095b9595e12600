"""E-mails of the applications app, one template set each (templates/applications/email/<name>_*.txt)."""

from ptce_ami.core.emails import absolute_url, send_email


def send_coeditor_invitation(invitation):
    dossier = invitation.dossier
    context = {
        "dossier": dossier,
        "invited_by": invitation.invited_by,
        "dossier_url": absolute_url(dossier.get_absolute_url()),
        "signup_url": absolute_url("/compte/inscription/"),
    }
    return send_email("applications/email/coeditor_invitation", invitation.email, context)
