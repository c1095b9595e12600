"""Celery task of the reviewers' deadline reminders (imported by reviews.hooks.connect() so that it is registered
whatever the worker autodiscovers). The source itself is declared in reviews/hooks.py."""

from ptce_ami.core.queue import durable_task


@durable_task("reviews.remind_assignments")
def remind_assignments(self):
    """Sweep (beat, hourly): remind reviewers of their pending assignments at D-7 and D-1 before they are due."""
    from applications import reminders  # noqa: PLC0415 -- leaf

    return reminders.sweep("reviews.remind_assignments")
