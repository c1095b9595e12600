"""Tasks of the ground floor: sending the e-mails of the outbox, and the sweeps of queued work. Leaves: the outbox
queues ``core.send_email`` by name."""

from ptce_ami.core import audit, outbox
from ptce_ami.core.queue import durable_task, requeue_due
from ptce_ami.core.sweeps import sweep_run


@durable_task("core.send_email")
def send_email(self, *, email_id):
    """Send one recorded e-mail (once: a second delivery finds it claimed or sent)."""
    email = outbox.deliver(email_id)
    return email.pk if email else None


@durable_task("core.requeue_tasks")
def requeue_tasks(self):
    """Sweep (beat, every 2 minutes): send again the queued tasks that never ran (broker down, message lost)."""
    with sweep_run("core.requeue_tasks") as run:
        run.processed += requeue_due()
    return run.processed


@durable_task("core.mark_interrupted_emails")
def mark_interrupted_emails(self):
    """Sweep (beat, every 5 minutes): mark failed the e-mails whose sending was interrupted, for staff to check."""
    with sweep_run("core.mark_interrupted_emails") as run:
        run.processed += outbox.mark_interrupted()
    return run.processed


@durable_task("core.anchor_audit_log")
def anchor_audit_log(self):
    """Nightly (beat): e-mail the audit log's last hash and its verification to AUDIT_ANCHOR_EMAILS (none: nothing)."""
    with sweep_run("core.anchor_audit_log") as run:
        run.processed += audit.send_anchor()
    return run.processed


@durable_task("core.archive_audit_log")
def archive_audit_log(self):
    """Nightly (beat): archive and remove the audit log's rows older than AUDIT_RETENTION_DAYS (none while it is 0)."""
    with sweep_run("core.archive_audit_log") as run:
        checkpoint = audit.archive_expired()
        run.processed += checkpoint.rows if checkpoint else 0
    return run.processed
