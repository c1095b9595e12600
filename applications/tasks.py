"""Celery tasks of the applications app: thin wrappers, ids in, the work done by a service."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="applications.issue_receipt")
def issue_receipt(*, version_id):
    """Render the submission receipt of a DossierVersion, store it and e-mail it to the porteurs."""
    from applications.models import DossierVersion  # noqa: PLC0415 -- leaf
    from applications.services import notices  # noqa: PLC0415 -- leaf

    version = DossierVersion.objects.select_related("dossier").filter(pk=version_id).first()
    if version is None:
        logger.warning("issue_receipt: version %s does not exist", version_id)
        return None
    return notices.issue_receipt(version).pk
