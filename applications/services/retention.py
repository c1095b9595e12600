"""Personal data kept only as long as allowed: the retention rules of the dossiers and accounts (one home).

- Drafts untouched (``updated_at``) for RETENTION_DRAFT_MONTHS months are deleted with their members, budget,
  attachments and messages, the files removed from the storage. Their owner is warned by e-mail first, once per
  draft (a ``SentReminder`` of kind ``retention_warning``, the e-mail through the outbox); a draft is deleted only
  when that warning left RETENTION_WARNING_DAYS days ago or more and the draft was not touched since.
- Not-retained, ineligible and withdrawn dossiers are anonymised RETENTION_CLOSED_YEARS years after the state change
  that closed them (the decision's publication, the withdrawal: their ``DossierTransition``).
- Laureates are anonymised by the reviews floor, which knows when a grant ends (reviews.services.retention); the
  anonymisation itself is here (``anonymise``).
- Accounts never confirmed, without any dossier, are deleted RETENTION_UNCONFIRMED_ACCOUNT_DAYS days after sign-up.

Anonymising keeps what the statistics and the history read (reference, pôle's name, phase, region, territory type,
state, dates, budget amounts, decisions and grants) and erases the rest: the people's names, e-mails and phones,
the narrative sections, the members' contributions, messages, staff notes, submitted versions, invitations, and
every file. ``anonymised_at`` marks it done.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, OuterRef, ProtectedError, Q, RestrictedError, Subquery
from django.urls import reverse
from django.utils import timezone

from applications.enums import DossierState
from applications.models import (
    Annotation,
    Attachment,
    Dossier,
    DossierInvitation,
    DossierTransition,
    DossierVersion,
    Message,
    MessageAttachment,
    Notice,
)
from applications.services import notifications
from ptce_ami.core.emails import absolute_url
from ptce_ami.core.models import SentReminder
from ptce_ami.core.outbox import related_fields

logger = logging.getLogger(__name__)

WARNING_KIND = "retention_warning"
WARNING_TEMPLATE = "applications/email/retention_warning"
# Cleared by the anonymisation (text fields: "", JSON lists: []).
PERSONAL_FIELDS = ("representative_name", "representative_title", "contact_name", "contact_email", "contact_phone")
NARRATIVE_FIELDS = (
    "summary",
    "website",
    "territory_description",
    "shared_strategy",
    "governance",
    "collectivites_link",
    "innovation",
    "economic_model",
    "expected_impact",
    "needs_comment",
    "action_plan",
    "staffing",
    "post_grant_plan",
    "indicators",
)


def months_before(moment, months):
    """``moment`` minus whole calendar months (the day clamped to the month's end: 31 March - 1 month = 28/29 Feb)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    next_month = datetime.date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month - datetime.timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def years_before(moment, years):
    return months_before(moment, 12 * years)


@dataclass
class Category:
    """What one rule finds past its retention: the count, the oldest item's date, and the objects' labels."""

    label: str
    count: int = 0
    oldest: datetime.datetime | None = None
    done: int = 0
    skipped: list = field(default_factory=list)

    def add(self, moment):
        self.count += 1
        if moment is not None and (self.oldest is None or moment < self.oldest):
            self.oldest = moment


# Drafts ------------------------------------------------------------------------------------------------------------


def draft_cutoff(now):
    return months_before(now, settings.RETENTION_DRAFT_MONTHS)


def warnings_of(dossiers):
    """{dossier id: the warning's SentReminder} for the given drafts."""
    content_type = ContentType.objects.get_for_model(Dossier)
    rows = SentReminder.objects.filter(
        content_type=content_type, kind=WARNING_KIND, object_id__in=[str(dossier.pk) for dossier in dossiers]
    )
    return {int(row.object_id): row for row in rows}


def drafts_due(now):
    """(drafts to warn, drafts to delete): untouched drafts within RETENTION_WARNING_DAYS of their retention's end
    and not warned yet; drafts past it, warned long enough ago and untouched since the warning."""
    warning_days = datetime.timedelta(days=settings.RETENTION_WARNING_DAYS)
    candidates = list(
        Dossier.objects.drafts()
        .filter(updated_at__lt=draft_cutoff(now + warning_days))
        .select_related("owner")
        .order_by("updated_at", "pk")
    )
    warned = warnings_of(candidates)
    to_warn, to_delete = [], []
    for dossier in candidates:
        warning = warned.get(dossier.pk)
        if warning is None or warning.sent_at < dossier.updated_at:
            # Not warned, or touched after an earlier warning (then its period starts again: warned once more when
            # due again, the old warning row replaced).
            to_warn.append(dossier)
        elif dossier.updated_at < draft_cutoff(now) and warning.sent_at <= now - warning_days:
            to_delete.append(dossier)
    return to_warn, to_delete


def warn_draft(dossier, now):
    """Record the warning and queue its e-mail to the owner, once per draft (and per untouched period)."""
    content_type = ContentType.objects.get_for_model(Dossier)
    SentReminder.objects.filter(content_type=content_type, object_id=str(dossier.pk), kind=WARNING_KIND).delete()
    recipient = dossier.owner.email
    reminder = SentReminder.objects.create(
        recipient=recipient, kind=WARNING_KIND, sent_at=now, **related_fields(dossier)
    )
    deletion_on = max(now + datetime.timedelta(days=settings.RETENTION_WARNING_DAYS), dossier_deletion_date(dossier))
    summary = reverse("applications:summary", kwargs={"reference": dossier.reference})
    context = {
        "dossier": dossier,
        "recipient": recipient,
        "deletion_on": timezone.localdate(deletion_on),
        "months": settings.RETENTION_DRAFT_MONTHS,
        "summary_url": absolute_url(summary),
    }
    reminder.email = notifications.queue_retention_warning(
        # One e-mail per untouched period (the draft's last change), whatever the run: a second run (a retried task,
        # the command beside the nightly task) finds the same key and queues nothing more.
        dossier,
        recipient,
        context,
        key=f"retention_warning:{dossier.pk}:{dossier.updated_at:%Y%m%dT%H%M%S.%f}",
    )
    reminder.save(update_fields=["email"])
    return reminder


def dossier_deletion_date(dossier):
    return months_before(dossier.updated_at, -settings.RETENTION_DRAFT_MONTHS)


def stored_files(dossiers):
    """Names, in the default storage, of every file of ``dossiers`` (attachments, message attachments, notices)."""
    names = list(Attachment.objects.filter(dossier__in=dossiers).values_list("file", flat=True))
    names += MessageAttachment.objects.filter(message__dossier__in=dossiers).values_list("file", flat=True)
    names += Notice.objects.filter(dossier__in=dossiers).exclude(file="").values_list("file", flat=True)
    return [name for name in names if name]


def remove_files_on_commit(names):
    """Delete the files once the rows are gone for good (a rollback keeps both)."""

    def remove():
        for name in names:
            try:
                default_storage.delete(name)
            except OSError:  # already gone: nothing to erase
                logger.warning("retention: could not delete %s", name)

    transaction.on_commit(remove)


def delete_dossier(dossier):
    """Delete a dossier with everything that depends on it, and its files. Raises ProtectedError when something
    still refers to it (a phase-2 continuation of a phase-1 dossier)."""
    names = stored_files([dossier.pk])
    with transaction.atomic():
        SentReminder.objects.filter(**related_fields(dossier)).delete()
        dossier.delete()
        remove_files_on_commit(names)


# Closed dossiers ---------------------------------------------------------------------------------------------------


def closed_due(now):
    """Not-retained, ineligible and withdrawn dossiers closed RETENTION_CLOSED_YEARS years ago or more, not yet
    anonymised: [(dossier, closed at)]."""
    cutoff = years_before(now, settings.RETENTION_CLOSED_YEARS)
    last_transition = (
        DossierTransition.objects.filter(dossier=OuterRef("pk"), to_state=OuterRef("state"))
        .order_by("-at")
        .values("at")[:1]
    )
    rows = (
        Dossier.objects.filter(state__in=DossierState.closed(), anonymised_at__isnull=True)
        .annotate(closed_at=Subquery(last_transition))
        .filter(Q(closed_at__lt=cutoff) | Q(closed_at__isnull=True, updated_at__lt=cutoff))
        .order_by("pk")
    )
    return [(dossier, dossier.closed_at or dossier.updated_at) for dossier in rows]


def anonymise(dossier, now):
    """Erase the personal data and files of ``dossier``; keep what the statistics read. Idempotent."""
    names = stored_files([dossier.pk])
    with transaction.atomic():
        for name in PERSONAL_FIELDS + NARRATIVE_FIELDS:
            setattr(dossier, name, "")
        dossier.bouquet_needs = []
        dossier.action_levers = []
        dossier.anonymised_at = now
        dossier.save(
            update_fields=[*PERSONAL_FIELDS, *NARRATIVE_FIELDS, "bouquet_needs", "action_levers", "anonymised_at"]
        )
        dossier.members.update(contribution="", official_data={})
        Attachment.objects.filter(dossier=dossier).delete()
        Message.objects.filter(dossier=dossier).delete()  # their attachments and read marks cascade
        Annotation.objects.filter(dossier=dossier).delete()
        DossierInvitation.objects.filter(dossier=dossier).delete()
        DossierVersion.objects.filter(dossier=dossier).update(data={})
        DossierTransition.objects.filter(dossier=dossier).update(comment="")
        Notice.objects.filter(dossier=dossier).exclude(file="").update(file="")
        SentReminder.objects.filter(**related_fields(dossier)).delete()
        remove_files_on_commit(names)


# Accounts ----------------------------------------------------------------------------------------------------------


def unconfirmed_accounts_due(now):
    """Accounts whose address was never confirmed, RETENTION_UNCONFIRMED_ACCOUNT_DAYS days after sign-up, that own no
    dossier and never signed in."""
    cutoff = now - datetime.timedelta(days=settings.RETENTION_UNCONFIRMED_ACCOUNT_DAYS)
    owns = Dossier.objects.filter(owner=OuterRef("pk"))
    return list(
        get_user_model()
        .objects.filter(
            email_confirmed_at__isnull=True, date_joined__lt=cutoff, last_login__isnull=True, is_staff=False
        )
        .exclude(Exists(owns))
        .order_by("date_joined", "pk")
    )


def delete_account(user):
    """Delete an account and its drafts (the caller checked none of its dossiers was ever submitted)."""
    with transaction.atomic():
        for dossier in Dossier.objects.filter(owner=user).order_by("pk"):
            delete_dossier(dossier)
        user.delete()


# The run -----------------------------------------------------------------------------------------------------------


def safely(category, label, action):
    """Run ``action`` in a savepoint; a row still referenced elsewhere is skipped (listed), the run goes on."""
    try:
        with transaction.atomic():
            action()
    except (ProtectedError, RestrictedError) as error:
        category.skipped.append(f"{label} ({error.__class__.__name__})")
        logger.warning("retention: %s kept, still referenced", label)
        return False
    category.done += 1
    return True


def collect(now):
    """{category key: (Category, [(object, moment)])}: what the applications floor finds past its retention."""
    to_warn, to_delete = drafts_due(now)
    found = {
        "draft_warnings": (Category("Brouillons à avertir"), [(d, d.updated_at) for d in to_warn]),
        "drafts": (Category("Brouillons à supprimer"), [(d, d.updated_at) for d in to_delete]),
        "closed": (Category("Dossiers non retenus, irrecevables ou retirés à anonymiser"), closed_due(now)),
        "accounts": (
            Category("Comptes jamais confirmés à supprimer"),
            [(user, user.date_joined) for user in unconfirmed_accounts_due(now)],
        ),
    }
    for category, items in found.values():
        for _obj, moment in items:
            category.add(moment)
    return found


def apply(found, now):
    """Carry out what ``collect`` found (its own categories; the others are the caller's); each object in its own
    savepoint."""
    actions = {
        "draft_warnings": lambda dossier: warn_draft(dossier, now),
        "drafts": delete_dossier,
        "closed": lambda dossier: anonymise(dossier, now),
        "accounts": lambda user: user.delete(),
    }
    for key, action in actions.items():
        category, items = found[key]
        for obj, _moment in items:
            safely(category, str(obj), lambda obj=obj, action=action: action(obj))
