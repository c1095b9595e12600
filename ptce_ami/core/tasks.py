"""Tasks of the ground floor: sending the e-mails of the outbox, and its sweep."""

from ptce_ami.core.queue import durable_task


@durable_task("core.send_email")
def send_email(self, *, email_id):
    """Send one recorded e-mail (once: a second delivery finds it claimed or sent)."""
    from ptce_ami.core import outbox  # noqa: PLC0415 -- leaf

    email = outbox.deliver(email_id)
    return email.pk if email else None


@durable_task("core.requeue_emails")
def requeue_emails(self):
    """Sweep (beat, every few minutes): queue again the e-mails left pending, mark failed the interrupted ones."""
    from ptce_ami.core import outbox  # noqa: PLC0415 -- leaf
    from ptce_ami.core.sweeps import sweep_run  # noqa: PLC0415 -- leaf

    with sweep_run("core.requeue_emails") as run:
        run.processed += outbox.requeue_stale()
    return run.processed
