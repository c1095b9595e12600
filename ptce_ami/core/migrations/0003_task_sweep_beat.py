"""One sweep for all queued work (ptce_ami.core.queue) in the beat schedule, in place of the per-kind ones.

- Creates "Relance des tâches restées en file" (core.requeue_tasks, every 2 minutes) if missing.
- The e-mail sweep made by applications/0005 (core.requeue_emails) now only marks the sendings interrupted: its
  entry runs core.mark_interrupted_emails; its name and description change unless staff changed them.
- The notices' sweep (applications.requeue_notices) is gone: its entry is deleted.
- The e-mails and notices still pending get a QueuedTask row, so that the new sweep sends them.

Runs after applications/0005_beat_schedule, which made the entries changed here. Reversing restores them.
"""

import datetime
import uuid

from django.db import migrations
from django.utils import timezone

SWEEP = (
    "Relance des tâches restées en file",
    "core.requeue_tasks",
    "Toutes les 2 minutes : remet dans la file les tâches enregistrées mais jamais exécutées (file de messages "
    "indisponible, message perdu, worker arrêté en cours de tâche) : accusés de réception, courriels, contrôles "
    "d'éligibilité, exports… Chaque tâche n'a d'effet qu'une fois.",
)
OLD_EMAIL_SWEEP = (
    "Renvoi des courriels en attente",
    "core.requeue_emails",
    "Toutes les 5 minutes : remet dans la file d'envoi les courriels enregistrés mais pas encore partis "
    "(file de messages indisponible, échec temporaire du serveur de messagerie).",
)
EMAIL_SWEEP = (
    "Courriels interrompus pendant l'envoi",
    "core.mark_interrupted_emails",
    "Toutes les 5 minutes : marque en échec les courriels dont l'envoi a été interrompu (worker arrêté en cours "
    "d'envoi), pour qu'un agent vérifie avant de les renvoyer depuis l'administration.",
)
OLD_NOTICE_SWEEP = (
    "Relance de la production des documents PDF en attente",
    "applications.requeue_notices",
    "Toutes les 5 minutes : remet dans la file les documents PDF (accusés de réception, lettres de décision) "
    "restés en attente de production.",
)
EVERY_2_MINUTES = {"every": 2, "period": "minutes"}
EVERY_5_MINUTES = {"every": 5, "period": "minutes"}


def interval(apps, values):
    model = apps.get_model("django_celery_beat", "IntervalSchedule")
    return model.objects.filter(**values).order_by("pk").first() or model.objects.create(**values)


def rename_task(apps, old, new):
    """Point the entries of task ``old`` at task ``new``; the name and description too where still the defaults."""
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    old_name, old_task, old_description = old
    new_name, new_task, new_description = new
    for entry in PeriodicTask.objects.filter(task=old_task):
        entry.task = new_task
        if entry.name == old_name and not PeriodicTask.objects.filter(name=new_name).exists():
            entry.name = new_name
        if entry.description == old_description:
            entry.description = new_description
        entry.save()


def schedule_changed(apps):
    # What PeriodicTask.save() does outside migrations: tell a running beat to reload its schedule.
    apps.get_model("django_celery_beat", "PeriodicTasks").objects.update_or_create(
        ident=1, defaults={"last_update": timezone.now()}
    )


def record_pending_work(apps):
    QueuedTask = apps.get_model("core", "QueuedTask")
    OutboundEmail = apps.get_model("core", "OutboundEmail")
    Notice = apps.get_model("applications", "Notice")
    due_at = timezone.now() + datetime.timedelta(minutes=2)
    pending = [
        ("core.send_email", "email_id", pk)
        for pk in OutboundEmail.objects.filter(status="pending").values_list("pk", flat=True)
    ]
    pending += [
        ("applications.render_notice", "notice_id", pk)
        for pk in Notice.objects.filter(status="pending").values_list("pk", flat=True)
    ]
    QueuedTask.objects.bulk_create(
        [QueuedTask(task_id=uuid.uuid4(), name=name, kwargs={key: pk}, due_at=due_at) for name, key, pk in pending],
        batch_size=500,
    )


def forwards(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    name, task, description = SWEEP
    if not PeriodicTask.objects.filter(name=name).exists():
        PeriodicTask.objects.create(
            name=name, task=task, description=description, interval=interval(apps, EVERY_2_MINUTES)
        )
    rename_task(apps, OLD_EMAIL_SWEEP, EMAIL_SWEEP)
    PeriodicTask.objects.filter(task=OLD_NOTICE_SWEEP[1]).delete()
    schedule_changed(apps)
    record_pending_work(apps)


def backwards(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=SWEEP[0], task=SWEEP[1]).delete()
    rename_task(apps, EMAIL_SWEEP, OLD_EMAIL_SWEEP)
    name, task, description = OLD_NOTICE_SWEEP
    if not PeriodicTask.objects.filter(name=name).exists():
        PeriodicTask.objects.create(
            name=name, task=task, description=description, interval=interval(apps, EVERY_5_MINUTES)
        )
    schedule_changed(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_queued_task"),
        ("applications", "0005_beat_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
