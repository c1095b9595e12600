"""The default beat schedule of the sweeps (DESIGN §8), created once.

Each periodic task is looked up by name and created only if missing: a task that staff changed in the admin
(schedule, description, disabled) is left as it is. Reversing deletes them by name.
"""

from django.db import migrations
from django.utils import timezone

PARIS = "Europe/Paris"
EVERY_5_MINUTES = {"every": 5, "period": "minutes"}

# (name shown in the admin, task, schedule, description)
DEFAULT_TASKS = [
    (
        "Relances des brouillons non déposés (J-14, J-7, J-1)",
        "applications.remind_drafts",
        {"crontab": {"minute": "5", "hour": "*"}},
        "Chaque heure : rappelle aux porteurs (titulaire et co-éditeurs) d'un dossier encore en brouillon que la "
        "date limite de dépôt de la phase approche, 14 jours, 7 jours puis 1 jour avant. Chaque rappel n'est "
        "envoyé qu'une fois par destinataire.",
    ),
    (
        "Relances des demandes de corrections (J-3, J-1)",
        "applications.remind_corrections",
        {"crontab": {"minute": "10", "hour": "*"}},
        "Chaque heure : rappelle aux porteurs les corrections demandées et pas encore déposées, 3 jours puis "
        "1 jour avant l'échéance. Chaque rappel n'est envoyé qu'une fois par destinataire.",
    ),
    (
        "Renvoi des courriels en attente",
        "core.requeue_emails",
        {"interval": EVERY_5_MINUTES},
        "Toutes les 5 minutes : remet dans la file d'envoi les courriels enregistrés mais pas encore partis "
        "(file de messages indisponible, échec temporaire du serveur de messagerie).",
    ),
    (
        "Synthèse quotidienne des notifications",
        "applications.send_daily_digests",
        {"crontab": {"minute": "30", "hour": "7"}},
        "Chaque matin à 7 h 30 (heure de Paris) : envoie à chaque agent et partenaire ayant choisi la synthèse "
        "quotidienne un courriel récapitulant ses notifications pas encore envoyées.",
    ),
    (
        "Relance de la production des documents PDF en attente",
        "applications.requeue_notices",
        {"interval": EVERY_5_MINUTES},
        "Toutes les 5 minutes : remet dans la file les documents PDF (accusés de réception, lettres de décision) "
        "restés en attente de production.",
    ),
]


def schedule(apps, kind, values):
    if kind == "interval":
        model = apps.get_model("django_celery_beat", "IntervalSchedule")
        fields = values
    else:
        model = apps.get_model("django_celery_beat", "CrontabSchedule")
        fields = {"day_of_week": "*", "day_of_month": "*", "month_of_year": "*", "timezone": PARIS, **values}
    return model.objects.filter(**fields).order_by("pk").first() or model.objects.create(**fields)


def create_default_tasks(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    created = False
    for name, task, when, description in DEFAULT_TASKS:
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        [(kind, values)] = when.items()
        PeriodicTask.objects.create(
            name=name, task=task, description=description, **{kind: schedule(apps, kind, values)}
        )
        created = True
    if created:
        # What PeriodicTask.save() does outside migrations: tell a running beat to reload its schedule.
        PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def delete_default_tasks(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    PeriodicTask.objects.filter(name__in=[name for name, *_ in DEFAULT_TASKS]).delete()
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0004_instruction_records"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_default_tasks, delete_default_tasks)]
