"""Celery tasks of the reviews app: thin wrappers, ids in, the work done by a service.

Tasks are leaves: they import the services, and services queue them by name (``ptce_ami.core.queue.enqueue``).
"""

import logging

from django.contrib.auth import get_user_model

from applications.models import Notice
from applications.services.notices import NoticeRenderError
from ptce_ami.core import reminders
from ptce_ami.core.queue import TRANSIENT_ERRORS, durable_task
from ptce_ami.core.sweeps import sweep_run
from reviews.models import CommitteeSession, Decision, Export, ExportKind, Grant
from reviews.services import committee, exports, finance_exports, grants, publication, retention

logger = logging.getLogger(__name__)


@durable_task("reviews.build_export")
def build_export(self, *, export_id):
    """Write the file of an export (CSV or XLSX): the instruction list's dossiers, or the finance team's decisions,
    grants and payments; a ready export is left as it is."""
    export = Export.objects.select_related("requested_by").filter(pk=export_id).first()
    if export is None:
        logger.warning("build_export: export %s does not exist", export_id)
        return None
    if export.kind == ExportKind.DOSSIERS:
        exports.build_export(export)
    else:
        finance_exports.build_export(export)
    return export.status


@durable_task("reviews.remind_assignments")
def remind_assignments(self):
    """Sweep (beat, hourly): remind reviewers of their pending assignments at D-7 and D-1 before they are due."""
    return reminders.sweep("reviews.remind_assignments")


@durable_task("reviews.render_minutes")
def render_minutes(self, *, session_id):
    """Make and store the minutes' PDF of an adopted committee session (a session that has it is left alone)."""
    session = CommitteeSession.objects.filter(pk=session_id).first()
    if session is None:
        logger.warning("render_minutes: session %s does not exist", session_id)
        return None
    return bool(committee.render_minutes(session).minutes)


@durable_task("reviews.send_decision_letter", autoretry_for=(*TRANSIENT_ERRORS, NoticeRenderError), max_retries=3)
def send_decision_letter(self, *, notice_id, by_id=None):
    """Make a published decision letter's PDF, then e-mail it to each porteur of the dossier (once each)."""
    notice = Notice.objects.select_related("dossier").filter(pk=notice_id).first()
    if notice is None:
        logger.warning("send_decision_letter: notice %s does not exist", notice_id)
        return None
    by = get_user_model().objects.filter(pk=by_id).first() if by_id else None
    return len(publication.send_decision_letter(notice, by))


@durable_task("reviews.open_grant")
def open_grant(self, *, decision_id, by_id=None):
    """Open the grant of a published phase-2 laureate decision (once: a second delivery finds it)."""
    decision = Decision.objects.filter(pk=decision_id).first()
    if decision is None:
        logger.warning("open_grant: decision %s does not exist", decision_id)
        return None
    by = get_user_model().objects.filter(pk=by_id).first() if by_id else None
    try:
        return grants.open_grant(decision, by).pk
    except grants.GrantRefused as refusal:
        logger.warning("open_grant: decision %s: %s", decision_id, refusal.message)
        return None


@durable_task("reviews.send_grant_notification", autoretry_for=(*TRANSIENT_ERRORS, NoticeRenderError), max_retries=3)
def send_grant_notification(self, *, grant_id, notice_id):
    """Make the grant notification's PDF if need be and e-mail it to the porteurs (once per recipient)."""
    grant = Grant.objects.select_related("dossier").filter(pk=grant_id).first()
    notice = Notice.objects.select_related("dossier").filter(pk=notice_id).first()
    if grant is None or notice is None:
        logger.warning("send_grant_notification: grant %s or notice %s does not exist", grant_id, notice_id)
        return None
    return len(grants.send_grant_notification(grant, notice))


@durable_task("reviews.remind_reports")
def remind_reports(self):
    """Sweep (beat, daily): remind the porteurs of the progress reports to file at D-30 and D-7 before they are due."""
    return reminders.sweep("reviews.remind_reports")


@durable_task("reviews.apply_retention")
def apply_retention(self):
    """Sweep (beat, every night): delete or anonymise what is past its retention period (reviews.services.retention),
    warn the owners of drafts about to go."""
    with sweep_run("reviews.apply_retention") as run:
        found = retention.run(apply=True)
        run.processed += sum(category.done for category, _items in found.values())
    return run.processed
