"""The nightly retention run in the beat schedule (reviews.apply_retention, 3 h 45, Paris time)."""

from django.db import migrations
from django.utils import timezone

NAME = "Application des durées de conservation"
TASK = "reviews.apply_retention"
DESCRIPTION = (
    "Chaque nuit à 3 h 45 (heure de Paris) : avertit par courriel les titulaires des brouillons bientôt supprimés, "
    "supprime les brouillons inactifs (RETENTION_DRAFT_MONTHS) et les comptes jamais confirmés, anonymise les "
    "dossiers clos (RETENTION_CLOSED_YEARS) et ceux des lauréats (RETENTION_LAUREATE_YEARS). Simulation : "
    "`manage.py apply_retention`."
)
CRONTAB = {
    "minute": "45",
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
        ("reviews", "0012_list_preferences_and_follows"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
