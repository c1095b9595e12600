"""The deadline reminders' engine (DESIGN §8): each app declares its sources (applications: drafts before their phase
closes, pending correction requests before their due date; reviews: pending assignments before their due date).
Each (recipient, object, kind) is reminded at most once, recorded in ``SentReminder``.

A *source* says which objects may be due (``queryset(now)``), where their deadline is (``deadline_field``), its
*windows*, who receives the reminder and which e-mail. A window opens a given time before the deadline and closes
when the next one opens, the last one at the deadline: drafts have [D-14, D-7), [D-7, D-1), [D-1, deadline). At
``now`` an object is due the kind of the window that contains now, and only that one: a draft created at D-5 gets
the D-7 reminder at once, then the D-1 one, never a burst of earlier ones; nothing once the deadline has passed.
The deadline is part of the recorded kind ("draft_d7:20260731T100000Z"): when staff move a deadline, the reminders
start again for the new one, so that the porteurs learn it.

``sweep(name)`` walks the due objects by primary key in batches; each batch is a transaction that locks its rows
(``select_for_update(skip_locked=True)``: a concurrent sweep takes other rows; SQLite ignores the clause). For each
recipient not yet reminded, the ``SentReminder`` row and the outbox e-mail are written together in a savepoint; the
e-mail leaves after commit. The unique constraint of SentReminder settles any race: the second insert fails and
that recipient is skipped. So two sweeps at once, or a re-run, send nothing twice, and a crash loses nothing: what
was committed is recorded, the rest is picked up by the next run. A recipient whose e-mail cannot be built (an
error that is not transient) is logged and left for the next run; the sweep goes on with the others, then raises
``ReminderFailures`` so that the run shows the error (``SweepRun.error``). Transient errors (database, broker)
abort the sweep: its current batch rolls back, and the task retries.

An app plugs in its own source in a module its ``AppConfig.ready`` imports (reviews/services/reminders.py)::

    from ptce_ami.core import reminders

    reminders.register(
        reminders.ReminderSource(
            name="reviews.remind_assignments",
            queryset=lambda now: Assignment.objects.pending().select_related("reviewer", "dossier"),
            deadline_field="due_at",
            windows=(
                reminders.Window("assignment_d3", timedelta(days=3)),
                reminders.Window("assignment_d1", timedelta(days=1)),
            ),
            recipients=lambda assignment: [assignment.reviewer.email],
            template="reviews/email/reminder_assignment",
            context=lambda assignment, due: {"assignment": assignment, **due.context()},
        )
    )

then a thin task ``reviews.remind_assignments`` that calls ``reminders.sweep("reviews.remind_assignments")``, and
its beat entry in a data migration (as ``applications/migrations/0005_beat_schedule.py`` does).
"""

import datetime
import hashlib
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ptce_ami.core.models import SentReminder
from ptce_ami.core.outbox import queue_email, related_fields
from ptce_ami.core.queue import TRANSIENT_ERRORS
from ptce_ami.core.sweeps import sweep_run

logger = logging.getLogger(__name__)

BATCH_SIZE = 100
KEY_MAX_LENGTH = 200  # OutboundEmail.key
KIND_MAX_LENGTH = 40 - len(":20260731T100000Z")  # SentReminder.kind holds the window's kind and the deadline


class ReminderFailures(Exception):
    """Some reminders could not be built; the others were sent. The next run tries the failed ones again."""


@dataclass(frozen=True)
class Window:
    kind: str  # unique per source, at most 23 characters: "draft_d7"
    before: datetime.timedelta  # opens this long before the deadline


@dataclass(frozen=True)
class Due:
    """The reminder an object is due at ``now``: its kind and its deadline."""

    kind: str
    deadline: datetime.datetime
    now: datetime.datetime

    @property
    def recorded_kind(self):
        """SentReminder.kind: the window's kind and the deadline, "draft_d7:20260731T100000Z" (UTC)."""
        return f"{self.kind}:{self.deadline.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}"

    @property
    def time_left(self):
        return time_left(self.deadline - self.now)

    def context(self):
        return {"deadline_at": self.deadline, "time_left": self.time_left}


@dataclass(frozen=True)
class ReminderSource:
    name: str  # the sweep's name, as recorded in SweepRun: "applications.remind_drafts"
    queryset: Callable  # (now) -> the objects that may be due, whatever their deadline
    deadline_field: str  # lookup path of the deadline from the queryset's model: "phase__closes_at"
    windows: tuple  # of Window, the earliest first
    recipients: Callable  # (obj) -> e-mail addresses
    template: str  # prefix of the e-mail templates
    context: Callable  # (obj, Due) -> the templates' context, shared by the recipients (+ "recipient")


SOURCES = {}


def register(source):
    too_long = [window.kind for window in source.windows if len(window.kind) > KIND_MAX_LENGTH]
    if too_long:
        raise ValueError(f"reminder kinds longer than {KIND_MAX_LENGTH} characters: {too_long}")
    SOURCES[source.name] = source
    return source


# Windows -------------------------------------------------------------------------------------------------------


def due_kind(windows, deadline, now):
    """The kind of the window that contains ``now`` (the latest one opened), None before the first or after the
    deadline."""
    if now >= deadline:
        return None
    opened = [window for window in windows if now >= deadline - window.before]
    return min(opened, key=lambda window: window.before).kind if opened else None


def time_left(delta):
    """ "dans 7 jours" (to the nearest day, from a day on), "dans moins de 5 heures", "dans moins d'une heure"."""
    hours = delta / datetime.timedelta(hours=1)
    if hours >= 24:
        days = math.floor(hours / 24 + 0.5)
        return ngettext("dans %(days)d jour", "dans %(days)d jours", days) % {"days": days}
    if hours <= 1:
        return _("dans moins d'une heure")
    hours = math.ceil(hours)
    return ngettext("dans moins de %(hours)d heure", "dans moins de %(hours)d heures", hours) % {"hours": hours}


# The sweep -----------------------------------------------------------------------------------------------------


def sweep(name, now=None, *, batch_size=BATCH_SIZE):
    """Send the reminders of source ``name`` due at ``now``, each at most once. Returns how many were sent.

    Recorded as a SweepRun. Raises ReminderFailures, after all the batches, if some could not be built.
    """
    source = SOURCES[name]
    now = now or timezone.now()
    failures = []
    with sweep_run(name) as run, translation.override(settings.LANGUAGE_CODE):
        after = None
        while True:
            after, sent = sweep_batch(source, now, after, batch_size, failures)
            run.processed += sent
            if after is None:
                break
        if failures:
            raise ReminderFailures(failure_summary(failures))
    return run.processed


def failure_summary(failures):
    count = len(failures)
    message = ngettext("%(count)d relance en échec : %(list)s", "%(count)d relances en échec : %(list)s", count)
    return message % {"count": count, "list": "; ".join(failures[:10])}


def sweep_batch(source, now, after, size, failures):
    """One batch in one transaction: returns (the last primary key seen or None at the end, reminders sent)."""
    with transaction.atomic():
        batch = list(locked_batch(source, now, after, size))
        sent = already_sent(source, batch)
        count = sum(remind(source, obj, now, sent, failures) for obj in batch)
    return (batch[-1].pk if batch else None), count


def locked_batch(source, now, after, size):
    deadline = source.deadline_field
    earliest = max(window.before for window in source.windows)
    candidates = source.queryset(now).filter(**{f"{deadline}__gt": now, f"{deadline}__lte": now + earliest})
    if after is not None:
        candidates = candidates.filter(pk__gt=after)
    # Only the object's own row is locked: locking the joined rows (a phase) would make a concurrent sweep skip
    # every object that shares them.
    candidates = candidates.select_for_update(skip_locked=True, of=("self",))
    return candidates.annotate(reminder_deadline=F(deadline)).order_by("pk")[:size]


def already_sent(source, batch):
    """{(object id, recorded kind, recipient)} of the reminders recorded for the batch."""
    if not batch:
        return set()
    recorded = SentReminder.objects.filter(
        content_type=ContentType.objects.get_for_model(batch[0]), object_id__in=[str(obj.pk) for obj in batch]
    )
    return set(recorded.values_list("object_id", "kind", "recipient"))


def remind(source, obj, now, sent, failures):
    """Remind every recipient of ``obj`` not yet reminded of the kind due now. Returns how many were sent."""
    kind = due_kind(source.windows, obj.reminder_deadline, now)
    if kind is None:
        return 0
    due = Due(kind, obj.reminder_deadline, now)
    recipients = source.recipients(obj)
    pending = [recipient for recipient in recipients if (str(obj.pk), due.recorded_kind, recipient) not in sent]
    if not pending:
        return 0
    context = source.context(obj, due)
    return sum(remind_one(source, obj, due, recipient, context, failures) for recipient in pending)


def remind_one(source, obj, due, recipient, context, failures):
    try:
        with transaction.atomic():
            return record(source, obj, due, recipient, context)
    except TRANSIENT_ERRORS:
        raise
    except Exception as error:  # one bad recipient must not stop the reminders of everyone else
        logger.exception("%s: %s reminder of %r to %s failed", source.name, due.kind, obj, recipient)
        failures.append(f"{due.kind} {obj.pk} → {recipient} ({error.__class__.__name__}: {error})")
        return 0


def record(source, obj, due, recipient, context):
    """Record the reminder and queue its e-mail; False (nothing queued) if a concurrent sweep recorded it first."""
    try:
        with transaction.atomic():
            reminder = SentReminder.objects.create(recipient=recipient, kind=due.recorded_kind, **related_fields(obj))
    except IntegrityError:
        return False
    key = email_key(due.recorded_kind, obj, recipient)
    context = {**context, "recipient": recipient}
    reminder.email = queue_email(source.template, recipient, context, key=key, related=obj)
    reminder.save(update_fields=["email"])
    return True


def email_key(kind, obj, recipient):
    """ "reminder:draft_d7:20260731T100000Z:applications.dossier:42:marie@example.fr"; a very long address is
    hashed to fit."""
    content_type = ContentType.objects.get_for_model(obj)
    key = f"reminder:{kind}:{content_type.app_label}.{content_type.model}:{obj.pk}:{recipient}"
    if len(key) > KEY_MAX_LENGTH:
        key = f"{key[: KEY_MAX_LENGTH - 65]}#{hashlib.sha256(recipient.encode()).hexdigest()}"
    return key
