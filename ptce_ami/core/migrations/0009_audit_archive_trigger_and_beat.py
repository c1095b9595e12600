"""The audit log's retention (ptce_ami.core.audit.archive_prefix):

- On PostgreSQL, the log's trigger now lets a DELETE through for the rows an AuditCheckpoint covers (an archived
  prefix) and for no other; UPDATE stays refused. The checkpoints get the same append-only trigger.
- Two nightly tasks join the beat schedule: core.archive_audit_log (4 h 15, Paris time), which does nothing while
  AUDIT_RETENTION_DAYS is 0 (the default), and core.anchor_audit_log (4 h 30), which e-mails the log's last hash to
  AUDIT_ANCHOR_EMAILS (none by default).
"""

from django.db import migrations
from django.utils import timezone

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = 'core_auditentry is append-only: ' || TG_OP || ' refused';
END;
$$ LANGUAGE plpgsql;
"""
ARCHIVED_PREFIX_ONLY = """
CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.id <= (SELECT COALESCE(MAX(through_id), 0) FROM core_auditcheckpoint) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION USING MESSAGE = 'core_auditentry is append-only: ' || TG_OP || ' refused';
END;
$$ LANGUAGE plpgsql;
"""
CHECKPOINT_TRIGGER = """
CREATE OR REPLACE FUNCTION core_auditcheckpoint_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = 'core_auditcheckpoint is append-only: ' || TG_OP || ' refused';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditcheckpoint_append_only
    BEFORE UPDATE OR DELETE ON core_auditcheckpoint
    FOR EACH ROW EXECUTE FUNCTION core_auditcheckpoint_append_only();
"""
DROP_CHECKPOINT_TRIGGER = """
DROP TRIGGER IF EXISTS core_auditcheckpoint_append_only ON core_auditcheckpoint;
DROP FUNCTION IF EXISTS core_auditcheckpoint_append_only();
"""

ENTRIES = [
    (
        "Archivage du journal d'audit",
        "core.archive_audit_log",
        "Chaque nuit à 4 h 15 (heure de Paris) : si AUDIT_RETENTION_DAYS est fixé, les entrées du journal d'audit plus "
        "anciennes sont vérifiées, écrites dans un fichier d'archive (AUDIT_ARCHIVE_DIR) dont l'empreinte est "
        "enregistrée, puis retirées du journal. Sans durée (0, par défaut), rien n'est fait.",
        "15",
    ),
    (
        "Empreinte du journal d'audit envoyée hors de la plateforme",
        "core.anchor_audit_log",
        "Chaque nuit à 4 h 30 (heure de Paris) : vérifie la chaîne du journal d'audit et envoie sa dernière empreinte "
        "aux adresses AUDIT_ANCHOR_EMAILS, qui la conservent hors de la plateforme (verify_audit_log --expect-hash). "
        "Sans adresse (par défaut), rien n'est envoyé.",
        "30",
    ),
]
NIGHTLY = {
    "hour": "4",
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
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ARCHIVED_PREFIX_ONLY)
        schema_editor.execute(CHECKPOINT_TRIGGER)
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    for name, task, description, minute in ENTRIES:
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        values = {**NIGHTLY, "minute": minute}
        crontab = CrontabSchedule.objects.filter(**values).order_by("pk").first() or CrontabSchedule.objects.create(
            **values
        )
        PeriodicTask.objects.create(name=name, task=task, description=description, crontab=crontab)
    schedule_changed(apps)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY)
        schema_editor.execute(DROP_CHECKPOINT_TRIGGER)
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, _description, _minute in ENTRIES:
        PeriodicTask.objects.filter(name=name, task=task).delete()
    schedule_changed(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_audit_checkpoint"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
