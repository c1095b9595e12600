"""The history of each grant (GrantEvent: opening, agreement, reports, payments, suspension and resumption, year 3),
and the beat entry of the laureates' report reminders (reviews.remind_reports), created once as in 0003."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

PARIS = "Europe/Paris"
NAME = "Relances des rapports d'exécution (J-30, J-7)"
TASK = "reviews.remind_reports"
CRONTAB = {"minute": "30", "hour": "8"}
DESCRIPTION = (
    "Chaque matin : rappelle aux porteurs lauréats les rapports d'exécution à déposer, 30 jours puis 7 jours avant "
    "leur échéance. Chaque rappel n'est envoyé qu'une fois par destinataire."
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
        ("reviews", "0008_export_kind"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.CreateModel(
            name="GrantEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("opened", "Aide ouverte"),
                            ("agreement", "Convention signée"),
                            ("report_submitted", "Rapport déposé"),
                            ("report_approved", "Rapport approuvé"),
                            ("report_changes", "Compléments demandés sur un rapport"),
                            ("payment", "Versement enregistré"),
                            ("suspended", "Aide suspendue"),
                            ("resumed", "Aide rétablie"),
                            ("year3", "Aide de 3e année décidée"),
                        ],
                        max_length=20,
                        verbose_name="événement",
                    ),
                ),
                ("at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="le")),
                ("detail", models.TextField(blank=True, verbose_name="précisions")),
                (
                    "by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.RESTRICT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="par",
                    ),
                ),
                (
                    "grant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="reviews.grant",
                        verbose_name="aide",
                    ),
                ),
            ],
            options={
                "verbose_name": "événement d'une aide",
                "verbose_name_plural": "historique des aides",
                "ordering": ["grant", "at", "pk"],
            },
        ),
        migrations.RunPython(create_task, delete_task),
    ]
