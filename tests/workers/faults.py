"""Loaded by the worker started in tests: makes one PDF render slow when a flag file exists, and forgets the
content types cached before a flush of the test database.

It patches WeasyPrint itself, so that it reaches every caller whatever they imported.
"""

import os
import time
from pathlib import Path

from celery.signals import task_prerun
from weasyprint.document import Document

# ptce_ami.core.pdf lays a notice out (HTML.render) then writes it (Document.write_pdf): the write is patched.
_real_write_pdf = Document.write_pdf


def slow_once_write_pdf(self, *args, **kwargs):
    flag = Path(os.environ.get("PTCE_WORKER_SLOW_FLAG", "/nonexistent"))
    if flag.exists():
        flag.unlink()
        Path(f"{flag}.started").touch()
        time.sleep(60)
    return _real_write_pdf(self, *args, **kwargs)


Document.write_pdf = slow_once_write_pdf


@task_prerun.connect
def forget_content_types(**kwargs):
    """The test process flushes and restores the database between transactional tests, which gives the content
    types new ids; a long-lived worker must not use the ids it cached before (a production database is never
    flushed, so ptce_ami keeps Django's cache)."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
