import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ptce_ami.settings")

app = Celery("ptce_ami")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
