"""How work reaches the workers: after commit, never failing the request, retried on transient errors.

``enqueue(task, **ids)`` queues a task once the current transaction commits. If the broker is down, the
request still succeeds: what the task would do is recorded in the database first (a pending notice, a
pending e-mail), and the periodic sweeps queue it again when the broker is back (a transactional outbox).

``durable_task(name)`` declares a task with acknowledgement after completion (a worker killed mid-task
leaves the message to be delivered again) and retries with exponential backoff on transient errors.
"""

import logging
import smtplib
import socket

from celery import shared_task
from django.db import OperationalError, transaction
from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (
    OperationalError,
    BrokerError,
    ConnectionError,
    TimeoutError,
    socket.timeout,
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    smtplib.SMTPDataError,
    smtplib.SMTPHeloError,
    smtplib.SMTPRecipientsRefused,
)


def durable_task(name, **options):
    options = {
        "name": name,
        "bind": True,
        "acks_late": True,
        "reject_on_worker_lost": True,
        "autoretry_for": TRANSIENT_ERRORS,
        "retry_backoff": 5,
        "retry_backoff_max": 600,
        "retry_jitter": True,
        "max_retries": 6,
        **options,
    }
    return shared_task(**options)


def send_now(task, kwargs):
    """Hand the task to the broker (or run it inline); a failure is logged, never raised to the caller."""
    try:
        task.apply_async(kwargs=kwargs)
    except Exception:  # noqa: BLE001 -- the sweeps re-queue pending work; the request must not fail
        logger.exception("could not queue %s %s: it will be queued again by the sweeps", task.name, kwargs)


def enqueue(task, **kwargs):
    transaction.on_commit(lambda: send_now(task, kwargs))
