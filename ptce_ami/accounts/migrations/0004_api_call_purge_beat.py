"""The nightly purge of the API's call log in the beat schedule (accounts.purge_api_calls, 3 h 15, Paris time)."""

from django.db import migrations
from django.utils import timezone

NAME = "Purge du journal des appels à l'API"
TASK = "accounts.purge_api_calls"
DESCRIPTION = (
    "Chaque nuit à 3 h 15 (heure de Paris) : supprime les appels à l'API plus anciens que "
    "API_CALL_RETENTION_DAYS jours (90 par défaut), pour que le journal ne grossisse pas sans fin."
)
CRONTAB = {
    "minute": "15",
    "hour": "3",
    "day_of_week": "*",
    "day_of_month": "*",
    "month_of_year": "*",
    "timezone": "Europe/Paris",
}


def schedule_changed(apps):
    # What PeriodicTask.save() does outside migrations: tell a running beat to reload its schedule.
    apps.get_model("django_celery_beat", "PeriodicTasks").objects.update_or_create(
        ident=1, defaults={"last_update": timezone.now()}
    )


def forwards(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    if PeriodicTask.objects.filter(name=NAME).exists():
        return
    crontab = CrontabSchedule.objects.filter(**CRONTAB).order_by("pk").first() or CrontabSchedule.objects.create(
        **CRONTAB
    )
    PeriodicTask.objects.create(name=NAME, task=TASK, description=DESCRIPTION, crontab=crontab)
    schedule_changed(apps)


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME, task=TASK).delete()
    schedule_changed(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_api_tokens_and_call_log"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
