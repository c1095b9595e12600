"""Celery tasks of the applications app: thin wrappers, ids in, the work done by a service.

Tasks are leaves: they import the services, and services queue them by name (``ptce_ami.core.queue.enqueue``),
never by importing this module.
"""

import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from applications.models import Dossier, DossierVersion, Notice
from applications.services import eligibility, notices, notifications, statistics
from applications.services.notices import NoticeRenderError
from ptce_ami.core import reminders
from ptce_ami.core.queue import TRANSIENT_ERRORS, durable_task
from ptce_ami.core.sweeps import sweep_run

logger = logging.getLogger(__name__)


# Notice tasks: transient and rendering errors, at most 3 retries with exponential backoff (5 s, 10 s, 20 s at most).
NOTICE_TASK_OPTIONS = {"autoretry_for": (*TRANSIENT_ERRORS, NoticeRenderError), "max_retries": 3}


@durable_task("applications.issue_receipt", **NOTICE_TASK_OPTIONS)
def issue_receipt(self, *, version_id):
    """Render the submission receipt of a DossierVersion, store it and queue its e-mails to the porteurs."""
    version = DossierVersion.objects.select_related("dossier").filter(pk=version_id).first()
    if version is None:
        logger.warning("issue_receipt: version %s does not exist", version_id)
        return None
    return notices.issue_receipt(version).pk


@durable_task("applications.email_staff_notifications")
def email_staff_notifications(self, *, kind, event_key):
    """Queue the e-mails of a staff notification event to the recipients who want them at once (notify_staff)."""
    with transaction.atomic():
        notifications.email_immediately(kind, event_key, now=timezone.now())


@durable_task("applications.run_eligibility")
def run_eligibility(self, *, dossier_id, key, trigger, by_id=None, version_id=None):
    """Evaluate the eligibility rules of a dossier and store the run (once per key)."""
    dossier = Dossier.objects.select_related("phase").filter(pk=dossier_id).first()
    if dossier is None:
        logger.warning("run_eligibility: dossier %s does not exist", dossier_id)
        return None
    by = get_user_model().objects.filter(pk=by_id).first() if by_id else None
    version = DossierVersion.objects.filter(pk=version_id).first() if version_id else None
    return eligibility.run(dossier, key=key, trigger=trigger, by=by, version=version).pk


@durable_task("applications.refresh_figures")
def refresh_figures(self, *, figures, edition_id=None, phase_id=None, region_id=None):
    """Compute a dashboard's figures for a scope and cache them (queued by statistics.cached when they are stale)."""
    scope = statistics.Scope(edition_id=edition_id, phase_id=phase_id, region_id=region_id)
    statistics.refresh(figures, scope)


@durable_task("applications.render_notice", **NOTICE_TASK_OPTIONS)
def render_notice(self, *, notice_id):
    """Make the PDF of a pending or failed notice (letters, re-queued receipts); a ready one is left as it is."""
    notice = Notice.objects.select_related("dossier", "version__dossier__phase").filter(pk=notice_id).first()
    if notice is None:
        logger.warning("render_notice: notice %s does not exist", notice_id)
        return None
    return notices.produce(notice).pk


@durable_task("applications.send_daily_digests")
def send_daily_digests(self):
    """Sweep (beat, every morning): one e-mail per staff member or partner listing the day's notifications."""
    with sweep_run("applications.send_daily_digests") as run:
        run.processed += notifications.send_daily_digests()
    return run.processed


@durable_task("applications.remind_drafts")
def remind_drafts(self):
    """Sweep (beat, hourly): remind the porteurs of drafts at D-14, D-7 and D-1 before their phase closes."""
    return reminders.sweep("applications.remind_drafts")


@durable_task("applications.remind_corrections")
def remind_corrections(self):
    """Sweep (beat, hourly): remind the porteurs of pending correction requests at D-3 and D-1 before they are due."""
    return reminders.sweep("applications.remind_corrections")
