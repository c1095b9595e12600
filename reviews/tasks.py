"""Celery tasks of the reviews app: thin wrappers, ids in, the work done by a service.

Tasks are leaves: they import the services, and services queue them by name (``ptce_ami.core.queue.enqueue``).
"""

import logging

from ptce_ami.core import reminders
from ptce_ami.core.queue import durable_task
from reviews.models import Export
from reviews.services import exports

logger = logging.getLogger(__name__)


@durable_task("reviews.build_export")
def build_export(self, *, export_id):
    """Write the file of an export of the instruction list (CSV or XLSX); a ready export is left as it is."""
    export = Export.objects.select_related("requested_by").filter(pk=export_id).first()
    if export is None:
        logger.warning("build_export: export %s does not exist", export_id)
        return None
    exports.build_export(export)
    return export.status


@durable_task("reviews.remind_assignments")
def remind_assignments(self):
    """Sweep (beat, hourly): remind reviewers of their pending assignments at D-7 and D-1 before they are due."""
    return reminders.sweep("reviews.remind_assignments")
