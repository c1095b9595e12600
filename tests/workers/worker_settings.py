"""Settings of the Celery worker that the worker tests start: the test settings, pointed at the test
database, an e-mail folder and a media folder the test process reads too."""

import os

from ptce_ami.test_settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["PTCE_WORKER_EMAIL_DIR"]
MEDIA_ROOT = os.environ["PTCE_WORKER_MEDIA_ROOT"]
CELERY_TASK_ALWAYS_EAGER = False

# Fault injection for the tests only (never in ptce_ami): the first PDF render after the flag file appears
# sleeps, so that the test can kill the worker in the middle of the task.
import tests.workers.faults  # noqa: E402, F401
