"""The ground floor's own e-mails, all through the outbox (ptce_ami.core.outbox): the audit log's nightly anchor."""

from ptce_ami.core import outbox

AUDIT_ANCHOR = "core/email/audit_anchor"


def send_audit_anchor(recipients, *, day, verified, broken, last):
    """The audit log's state on ``day`` (rows verified, the first broken row or None, the last row) to each of
    ``recipients``, once a day per address (the outbox's key)."""
    context = {"day": day, "verified": verified, "broken": broken, "last": last}
    for address in recipients:
        outbox.queue_email(AUDIT_ANCHOR, address, context, key=f"audit-anchor:{day.isoformat()}:{address}")
    return len(recipients)
