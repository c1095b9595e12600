"""The beat entry of the reviewers' deadline reminders (reviews.remind_assignments), created once.

As applications/0005_beat_schedule: looked up by name and created only if missing, so that a task staff changed
in the admin is left as it is. Reversing deletes it by name.
"""

from django.db import migrations
from django.utils import timezone

PARIS = "Europe/Paris"
NAME = "Relances des évaluateurs (J-7, J-1)"
TASK = "reviews.remind_assignments"
CRONTAB = {"minute": "15", "hour": "*"}
DESCRIPTION = (
    "Chaque heure : rappelle aux évaluateurs leurs affectations à confirmer ou leurs évaluations pas encore "
    "rendues, 7 jours puis 1 jour avant l'échéance. Chaque rappel n'est envoyé qu'une fois par destinataire."
)


def create_task(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    if PeriodicTask.objects.filter(name=NAME).exists():
        return
    fields = {"day_of_week": "*", "day_of_month": "*", "month_of_year": "*", "timezone": PARIS, **CRONTAB}
    crontab = CrontabSchedule.objects.filter(**fields).order_by("pk").first() or CrontabSchedule.objects.create(
        **fields
    )
    PeriodicTask.objects.create(name=NAME, task=TASK, description=DESCRIPTION, crontab=crontab)
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def delete_task(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    PeriodicTask.objects.filter(name=NAME).delete()
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0002_default_grids"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_task, delete_task)]
