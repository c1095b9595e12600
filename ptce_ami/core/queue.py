"""How work reaches the workers: recorded first, sent after commit, never failing the request, sent again if lost.

``enqueue("app.task_name", **ids)`` writes a ``QueuedTask`` row in the caller's transaction and hands the task to
the broker once the transaction commits (without a broker, it runs inline). When the broker is down or does not answer,
publishing gives up within about a second (the Celery settings bound every timeout and retry), the request goes
on, and the row stays QUEUED: the sweep ``requeue_due`` (task ``core.requeue_tasks``, beat) sends again every
row whose ``due_at`` has passed. A rolled-back transaction leaves no row and sends nothing.

``durable_task(name)`` declares a task that keeps its row up to date: RUNNING when a worker starts it, DONE when
it returns, QUEUED again when Celery schedules a retry, FAILED when it gives up. A delivery of a DONE task does
nothing (a duplicate). Tasks are acknowledged after completion and retried with backoff on transient errors;
every task is idempotent (DESIGN §8), so a task sent twice, by the sweep and by Celery, does its work once.
Tasks sent otherwise (beat's sweeps, ``apply`` in tests) have no row and simply run.
"""

import datetime
import logging
import smtplib
import socket
import time

from celery import Task, current_app, shared_task
from celery.exceptions import Reject, Retry
from django.db import OperationalError, transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from ptce_ami.core.models import QueuedTask, TaskStatus

logger = logging.getLogger(__name__)

# Errors worth trying again later. A refused recipient (SMTPRecipientsRefused) or a refused sender is permanent:
# the e-mail is recorded FAILED with the server's answer and staff decide.
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
)

# A row not started this long after it was sent is lost (broker down, message lost): the sweep sends it again,
# then waits twice as long after each new sending, up to RESEND_MAX_DELAY, so that a long queue behind a busy
# worker is not flooded with copies.
REQUEUE_AFTER = datetime.timedelta(minutes=2)
RESEND_MAX_DELAY = datetime.timedelta(hours=1)
# A task runs for seconds; one still RUNNING after this was interrupted (its worker died with the message).
RUNNING_TIMEOUT = datetime.timedelta(minutes=15)
# After this many sendings without an end, the row is FAILED for staff to look at (admin, "Relancer").
MAX_SENDS = 10
# Finished rows are kept this long for operators, then deleted by the sweep.
KEEP_DONE = datetime.timedelta(days=30)
SWEEP_BATCH = 200
SWEEP_MAX_BATCHES = 25
# Once a sending fails, this process leaves the broker alone for this many seconds: the other tasks of the request
# (and of the next requests) stay recorded for the sweep instead of each waiting for the broker in turn.
BROKER_DOWN_HOLD = 10
_broker_down_until = 0.0


# Sending -------------------------------------------------------------------------------------------------------


def enqueue(name, **kwargs):
    """Record the task called ``name`` with its keyword arguments (ids: JSON values) and send it once the transaction
    commits. Services queue tasks by name, so that they never import the tasks modules (which import them)."""
    task = task_named(name)  # an unknown name is a programming error: raised here, before anything is recorded
    record = QueuedTask.objects.create(name=name, kwargs=kwargs, due_at=timezone.now() + REQUEUE_AFTER)
    transaction.on_commit(lambda: send(record, task))
    return record


def platform_tasks():
    """The tasks of every app. Celery imports the apps' tasks modules when a worker starts; a web process may not
    have imported them yet (the first sending, the admin's "Relancer")."""
    current_app.loader.import_default_modules()
    return current_app.tasks


def task_named(name):
    tasks = current_app.tasks
    return tasks[name] if name in tasks else platform_tasks()[name]


def send(record, task=None):
    """Hand a recorded task to the broker, or run it inline without one. False if the broker could not take it.

    Never raises: the row stays QUEUED and the sweep sends it again.
    """
    global _broker_down_until
    task = task or task_named(record.name)
    options = {"kwargs": record.kwargs, "task_id": str(record.task_id)}
    eager = task.app.conf.task_always_eager
    if not eager and time.monotonic() < _broker_down_until:
        logger.info("broker down: %s %s left for the sweep", record.name, record.kwargs)
        return False
    try:
        if eager:
            # apply(), not apply_async(): the eager apply_async builds a broker connection it never uses.
            task.apply(**options)
        else:
            task.apply_async(**options)
    except Exception as error:  # noqa: BLE001 -- the request must not fail; the sweep sends the task again
        _broker_down_until = time.monotonic() + BROKER_DOWN_HOLD
        logger.warning("could not queue %s %s (%s): the sweep will send it again", record.name, record.kwargs, error)
        return False
    return True


def forget_broker_failure():
    """Try the broker again at the next sending (a test that changed the broker URL)."""
    global _broker_down_until
    _broker_down_until = 0.0


# The task's side -------------------------------------------------------------------------------------------------


class DurableTask(Task):
    """A task that keeps its QueuedTask row up to date; see the module's docstring."""

    def __call__(self, *args, **kwargs):
        task_id = self.request.id
        if not mark_running(task_id):
            logger.info("%s %s was done already: nothing to do", self.name, task_id)
            return None
        try:
            result = self.run(*args, **kwargs)
        except Retry as retry:
            mark_queued(task_id, retry.when, retry.exc)
            raise
        except Reject as reject:  # Celery could not queue the retry (broker down): the sweep sends it again
            mark_queued(task_id, 0, reject.reason)
            raise
        except Exception as error:
            mark_failed(task_id, error)
            raise
        QueuedTask.objects.filter(task_id=task_id).update(
            status=TaskStatus.DONE, finished_at=timezone.now(), last_error=""
        )
        return result


def mark_running(task_id):
    """Stamp the row RUNNING; False when it is DONE already. A task without a row (beat, tests) runs."""
    now = timezone.now()
    started = (
        QueuedTask.objects.filter(task_id=task_id)
        .exclude(status=TaskStatus.DONE)
        .update(status=TaskStatus.RUNNING, started_at=now, due_at=now + RUNNING_TIMEOUT, runs=F("runs") + 1)
    )
    return bool(started) or not QueuedTask.objects.filter(task_id=task_id, status=TaskStatus.DONE).exists()


def mark_queued(task_id, when, error):
    """Celery queued a retry ``when`` seconds from now (or a datetime): the row waits for it, then the sweep."""
    now = timezone.now()
    retry_at = when if isinstance(when, datetime.datetime) else now + datetime.timedelta(seconds=when or 0)
    QueuedTask.objects.filter(task_id=task_id).update(
        status=TaskStatus.QUEUED, due_at=max(retry_at, now) + REQUEUE_AFTER, last_error=describe(error)
    )


def mark_failed(task_id, error):
    QueuedTask.objects.filter(task_id=task_id).update(
        status=TaskStatus.FAILED, finished_at=timezone.now(), last_error=describe(error)
    )


def describe(error):
    return f"{error.__class__.__name__}: {error}" if error is not None else ""


def durable_task(name, **options):
    options = {
        "name": name,
        "base": DurableTask,
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


# The sweep and the admin's "Relancer" ----------------------------------------------------------------------------


def resend_delay(sends):
    return min(REQUEUE_AFTER * 2 ** (sends - 1), RESEND_MAX_DELAY)


def requeue_due(now=None, *, batch=SWEEP_BATCH, max_batches=SWEEP_MAX_BATCHES):
    """Send again the rows QUEUED or RUNNING past their ``due_at``; give up those sent MAX_SENDS times. Returns how
    many rows were handled.

    Works in batches, each in its own transaction, the rows locked with SKIP LOCKED on PostgreSQL so that concurrent
    runs share the work (SQLite ignores the lock and serialises writes). A batch stops at the first sending that
    fails (the broker is down again): the remaining rows wait for a later run. Also deletes the rows DONE for
    longer than KEEP_DONE.
    """
    now = now or timezone.now()
    processed = 0
    for _batch in range(max_batches):
        count, broker_up = _requeue_batch(now, batch)
        processed += count
        if count == 0 or not broker_up:
            break
    purge_done(now, batch)
    return processed


def _requeue_batch(now, batch):
    due = QueuedTask.objects.filter(status__in=[TaskStatus.QUEUED, TaskStatus.RUNNING], due_at__lt=now)
    known = platform_tasks()
    with transaction.atomic():
        records = list(due.select_for_update(skip_locked=True).order_by("due_at", "pk")[:batch])
        resent = [record for record in records if not give_up(record, now, known)]
        for record in resent:
            record.status, record.sends = TaskStatus.QUEUED, record.sends + 1
            record.due_at = now + resend_delay(record.sends)
        QueuedTask.objects.bulk_update(resent, ["status", "sends", "due_at"])
    # Sent once the batch is committed, so that a worker never waits for the rows locked here.
    broker_up = all(send(record, known[record.name]) for record in resent)
    if resent:
        logger.info("task sweep: %d task(s) sent again", len(resent))
    return len(records), broker_up


def give_up(record, now, known):
    """Mark FAILED a row sent MAX_SENDS times already, or naming a task that no longer exists; True if so."""
    if record.name not in known:
        error = f"Tâche inconnue : {record.name}"
    elif record.sends >= MAX_SENDS:
        error = f"Abandonnée après {record.sends} mises en file"
    else:
        return False
    QueuedTask.objects.filter(pk=record.pk).update(status=TaskStatus.FAILED, finished_at=now, last_error=error)
    logger.warning("task sweep: %s %s given up (%s)", record.name, record.task_id, error)
    return True


def purge_done(now, batch):
    old = QueuedTask.objects.filter(status=TaskStatus.DONE, finished_at__lt=now - KEEP_DONE)
    ids = list(old.order_by("pk").values_list("pk", flat=True)[: batch * SWEEP_MAX_BATCHES])
    return QueuedTask.objects.filter(pk__in=ids).delete()[0]


def requeue(record):
    """Send a FAILED (or lost) task again: the admin's "Relancer". False for a task DONE or RUNNING."""
    now = timezone.now()
    with transaction.atomic():
        updated = QueuedTask.objects.filter(pk=record.pk, status__in=[TaskStatus.FAILED, TaskStatus.QUEUED]).update(
            status=TaskStatus.QUEUED, sends=F("sends") + 1, due_at=now + REQUEUE_AFTER, finished_at=None
        )
        if updated:
            record.refresh_from_db()
            transaction.on_commit(lambda: send(record))
    return bool(updated)
