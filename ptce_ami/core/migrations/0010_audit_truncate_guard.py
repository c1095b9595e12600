"""On PostgreSQL, TRUNCATE of the audit log or of its checkpoints is refused (a statement-level trigger: the row
triggers of core/0005 and core/0009 do not see it, and `manage.py flush` truncates every table). The test suite,
which flushes its database between transactional tests, opens its connections with `-c ptce.audit_truncate=on`
(ptce_ami/test_settings.py); nothing else sets it.
"""

from django.db import migrations

TABLES = ("core_auditentry", "core_auditcheckpoint")
CREATE = """
CREATE OR REPLACE FUNCTION core_audit_no_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('ptce.audit_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' is append-only: TRUNCATE refused';
END;
$$ LANGUAGE plpgsql;
"""
TRIGGER = "CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION core_audit_no_truncate();"
DROP_TRIGGER = "DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};"
DROP = "DROP FUNCTION IF EXISTS core_audit_no_truncate();"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)
        for table in TABLES:
            schema_editor.execute(TRIGGER.format(table=table))


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(DROP_TRIGGER.format(table=table))
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("core", "0009_audit_archive_trigger_and_beat")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
