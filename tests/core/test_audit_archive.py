"""The audit log's retention (ptce_ami.core.audit.archive_prefix): the oldest prefix of the chain is verified, written
to a file whose SHA-256 a checkpoint keeps, removed, and announced by a row of the log; the chain then verifies from
the checkpoint, the file against it, and nothing else may remove a row."""

import datetime
import gzip
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from freezegun import freeze_time

from ptce_ami.core import audit
from ptce_ami.core.models import AppendOnlyError, AuditAction, AuditCheckpoint, AuditEntry
from ptce_ami.core.tasks import anchor_audit_log, archive_audit_log
from tests.core.test_audit import tamper

pytestmark = pytest.mark.django_db

TABLE = AuditEntry._meta.db_table
NOW = datetime.datetime(2027, 6, 1, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def archives(settings, tmp_path):
    settings.AUDIT_ARCHIVE_DIR = tmp_path / "archives"
    return settings.AUDIT_ARCHIVE_DIR


def entries_on(*days_ago):
    """One export row written ``days`` before NOW, for each of ``days_ago`` (oldest first)."""
    rows = []
    for days in days_ago:
        with freeze_time(NOW - datetime.timedelta(days=days)):
            rows.append(audit.record(AuditAction.EXPORT, actor_label="agent@example.fr", details={"days": days}))
    return rows


def verify_output(*args):
    out = StringIO()
    call_command("verify_audit_log", *args, stdout=out)
    return out.getvalue()


def archived_lines(path):
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def test_nothing_is_archived_while_the_retention_is_zero(settings):
    settings.AUDIT_RETENTION_DAYS = 0
    entries_on(4000, 10)

    with freeze_time(NOW):
        assert audit.archive_expired() is None
        assert archive_audit_log.run() == 0

    assert AuditEntry.objects.count() == 2
    assert not AuditCheckpoint.objects.exists()


def test_the_rows_older_than_the_retention_are_archived_removed_and_the_chain_goes_on(settings, archives):
    settings.AUDIT_RETENTION_DAYS = 365
    old = entries_on(800, 500, 400)
    kept = entries_on(100, 1)

    with freeze_time(NOW):
        assert archive_audit_log.run() == 3

    checkpoint = AuditCheckpoint.objects.get()
    assert (checkpoint.first_id, checkpoint.through_id, checkpoint.rows) == (old[0].pk, old[-1].pk, 3)
    assert (checkpoint.from_hash, checkpoint.through_hash) == (audit.GENESIS_HASH, old[-1].hash)
    path = archives / checkpoint.archive_name
    assert checkpoint.archive_name == f"journal-audit-{old[0].pk:012d}-{old[-1].pk:012d}.jsonl.gz"
    assert audit.file_sha256(path) == checkpoint.archive_sha256
    lines = archived_lines(path)
    assert [(line["id"], line["hash"], line["details"]) for line in lines] == [
        (entry.pk, entry.hash, {"days": days}) for entry, days in zip(old, (800, 500, 400), strict=True)
    ]
    # The log keeps the recent rows and announces the archive in a row of its own, chained after them.
    remaining = list(AuditEntry.objects.order_by("id"))
    assert [entry.pk for entry in remaining[:2]] == [entry.pk for entry in kept]
    announcement = remaining[2]
    assert announcement.action == AuditAction.AUDIT_ARCHIVE
    assert announcement.previous_hash == kept[-1].hash
    assert announcement.object_id == str(checkpoint.pk)
    assert announcement.details == {
        "rows": 3,
        "first_id": old[0].pk,
        "through_id": old[-1].pk,
        "through_hash": old[-1].hash,
        "archive": checkpoint.archive_name,
        "sha256": checkpoint.archive_sha256,
    }
    assert audit.verify() == (3, None)
    output = verify_output()
    assert "Journal d'audit vérifié : 3 entrées vérifiées, chaîne intacte, à partir de l'archive close" in output
    assert f"Dernière empreinte (à noter hors de la plateforme) : {announcement.hash}" in output
    assert "Archive vérifiée : 3 entrées archivées (id" in verify_output("--archive", str(path))


def test_only_a_prefix_is_archived_even_when_a_later_row_is_older(settings):
    """A row written with a clock late (older than its predecessor) stays: only an unbroken run of old rows from the
    start of the chain leaves the log."""
    settings.AUDIT_RETENTION_DAYS = 365
    first, recent, late_clock = entries_on(800, 10, 900)

    with freeze_time(NOW):
        checkpoint = audit.archive_expired()

    assert (checkpoint.first_id, checkpoint.through_id) == (first.pk, first.pk)
    assert AuditEntry.objects.filter(pk__in=[recent.pk, late_clock.pk]).count() == 2
    assert audit.verify()[1] is None


def test_a_second_archive_starts_where_the_first_ended(settings, archives):
    settings.AUDIT_RETENTION_DAYS = 365
    entries_on(900, 800)
    with freeze_time(NOW):
        first = audit.archive_expired()
    with freeze_time(NOW + datetime.timedelta(days=700)):
        entries_on(-300)  # written 300 days after NOW, archived 400 days later
        second = audit.archive_expired()

    # The second archive holds the first one's announcement and the row after it, chained from the first archive.
    assert second.from_hash == first.through_hash
    assert second.first_id > first.through_id
    assert [line["action"] for line in archived_lines(archives / second.archive_name)] == ["audit_archive", "export"]
    assert audit.verify()[1] is None
    for checkpoint in (first, second):
        assert audit.verify_archive(archives / checkpoint.archive_name).problem == ""


def test_a_broken_chain_is_not_archived(settings):
    settings.AUDIT_RETENTION_DAYS = 365
    first, second, third = entries_on(800, 700, 1)
    tamper(f"UPDATE {TABLE} SET actor_label = %s WHERE id = %s", ["faussaire@example.fr", second.pk])

    with freeze_time(NOW), pytest.raises(CommandError, match=f"altéré à l'entrée id={second.pk} : rien n'est archivé"):
        call_command("archive_audit_log")

    assert AuditEntry.objects.count() == 3
    assert not AuditCheckpoint.objects.exists()


def test_the_command_archives_before_a_date_and_refuses_without_one_when_rows_are_kept_forever(settings, archives):
    settings.AUDIT_RETENTION_DAYS = 0
    entries_on(800, 1)

    with pytest.raises(CommandError, match="AUDIT_RETENTION_DAYS vaut 0"):
        call_command("archive_audit_log")
    out = StringIO()
    with freeze_time(NOW):
        call_command("archive_audit_log", "--before", "2026-01-01", stdout=out)

    checkpoint = AuditCheckpoint.objects.get()
    assert f"1 entrée archivée dans {archives / checkpoint.archive_name}" in out.getvalue()
    entry = AuditEntry.objects.get(action=AuditAction.AUDIT_ARCHIVE)
    assert entry.actor_label == "manage.py archive_audit_log"
    out = StringIO()
    call_command("archive_audit_log", "--before", "2026-01-01", stdout=out)
    assert "rien à archiver" in out.getvalue()


def record_as_archive(checkpoint, path):
    """A checkpoint forged to record ``path`` as the archive of ``checkpoint``'s rows (its SHA-256 matching)."""
    AuditCheckpoint.objects.create(
        **{field: getattr(checkpoint, field) for field in ("first_id", "from_hash", "through_hash", "rows")},
        through_id=checkpoint.through_id + 1000 + AuditCheckpoint.objects.count(),
        first_at=checkpoint.first_at,
        last_at=checkpoint.last_at,
        archive_name=path.name,
        archive_sha256=audit.file_sha256(path),
    )


def test_an_archive_changed_or_cut_after_the_fact_is_refused(settings, archives):
    settings.AUDIT_RETENTION_DAYS = 365
    entries_on(800, 700, 600)
    with freeze_time(NOW):
        checkpoint = audit.archive_expired()
    path = archives / checkpoint.archive_name
    lines = archived_lines(path)

    forged = archives / "forged" / checkpoint.archive_name
    forged.parent.mkdir()
    lines[1]["ip"] = "203.0.113.66"
    with gzip.open(forged, "wt", encoding="utf-8") as out:
        out.writelines(json.dumps(line) + "\n" for line in lines)
    with pytest.raises(CommandError, match="l'empreinte SHA-256 du fichier n'est pas celle enregistrée"):
        verify_output("--archive", str(forged))

    # A file recorded with its SHA-256 but whose rows were changed before (a forged checkpoint): the rows' own hashes
    # name the changed one.
    recorded = archives / "journal-audit-recorded.jsonl.gz"
    recorded.write_bytes(forged.read_bytes())
    record_as_archive(checkpoint, recorded)
    assert audit.verify_archive(recorded).problem == f"chaîne rompue à la ligne 2 (entrée id={lines[1]['id']})"
    # A file cut short: its rows chain, but it does not reach the checkpoint's last hash.
    cut = archives / "journal-audit-cut.jsonl.gz"
    with gzip.open(cut, "wt", encoding="utf-8") as out:
        out.writelines(json.dumps(line) + "\n" for line in archived_lines(path)[:2])
    record_as_archive(checkpoint, cut)
    assert audit.verify_archive(cut).problem == "le fichier ne contient pas toutes les entrées archivées"
    with pytest.raises(CommandError, match="aucune archive enregistrée"):
        verify_output("--archive", str(archives / "journal-audit-inconnu.jsonl.gz"))


def test_a_log_cut_at_its_end_is_shown_by_the_hash_noted_before(settings):
    first, second, third = entries_on(3, 2, 1)

    assert "chaîne intacte" in verify_output("--expect-hash", third.hash)
    tamper(f"DELETE FROM {TABLE} WHERE id = %s", [third.pk])

    assert audit.verify() == (2, None)  # the chain alone cannot see a cut end
    with pytest.raises(CommandError, match=f"Aucune entrée n'a l'empreinte {third.hash}"):
        verify_output("--expect-hash", third.hash)


def test_a_prefix_removed_with_a_checkpoint_forged_but_never_announced_is_reported(settings):
    first, second, third = entries_on(3, 2, 1)
    with transaction.atomic():
        AuditCheckpoint.objects.create(
            first_id=first.pk,
            through_id=second.pk,
            from_hash=audit.GENESIS_HASH,
            through_hash=second.hash,
            rows=2,
            first_at=first.at,
            last_at=second.at,
            archive_name="journal-audit-fabrique.jsonl.gz",
            archive_sha256="0" * 64,
        )
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE id <= %s", [second.pk])

    assert audit.verify() == (1, None)
    with pytest.raises(CommandError, match=f"entrées {first.pk} à {second.pk}\\) a été retiré sans"):
        verify_output()


def test_checkpoints_are_never_changed_nor_deleted(settings):
    settings.AUDIT_RETENTION_DAYS = 365
    entries_on(800)
    with freeze_time(NOW):
        checkpoint = audit.archive_expired()

    checkpoint.rows = 0
    with pytest.raises(AppendOnlyError):
        checkpoint.save()
    with pytest.raises(AppendOnlyError):
        checkpoint.delete()
    with pytest.raises(AppendOnlyError):
        AuditCheckpoint.objects.update(rows=0)
    with pytest.raises(AppendOnlyError):
        AuditCheckpoint.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers exist on PostgreSQL only")
def test_postgresql_lets_only_archived_rows_be_deleted(settings):
    settings.AUDIT_RETENTION_DAYS = 365
    old, recent = entries_on(800, 1)
    with freeze_time(NOW):
        checkpoint = audit.archive_expired()

    checkpoint_table = AuditCheckpoint._meta.db_table
    for sql, params in (
        (f"DELETE FROM {TABLE} WHERE id = %s", [recent.pk]),
        (f"UPDATE {TABLE} SET ip = '203.0.113.1' WHERE id = %s", [recent.pk]),
        (f"UPDATE {checkpoint_table} SET rows = 0 WHERE id = %s", [checkpoint.pk]),
        (f"DELETE FROM {checkpoint_table} WHERE id = %s", [checkpoint.pk]),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    assert AuditEntry.objects.filter(pk=recent.pk).exists()
    assert audit.verify()[1] is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers exist on PostgreSQL only")
def test_postgresql_refuses_to_truncate_the_log_or_its_checkpoints_outside_the_test_suite():
    entries_on(1)
    for table in (TABLE, AuditCheckpoint._meta.db_table):
        with pytest.raises(DatabaseError, match="append-only: TRUNCATE refused"), transaction.atomic():
            with connection.cursor() as cursor:
                # What every connection but the test suite's has (ptce_ami/test_settings.py turns it on).
                cursor.execute("SET LOCAL ptce.audit_truncate = 'off'")
                cursor.execute(f"TRUNCATE {table}")
    assert AuditEntry.objects.count() == 1


def test_no_anchor_message_without_addresses(settings, mailoutbox):
    settings.AUDIT_ANCHOR_EMAILS = []
    entries_on(1)

    assert anchor_audit_log.run() == 0
    assert mailoutbox == []


def test_the_last_hash_is_e_mailed_each_night_to_be_kept_outside_the_platform(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.AUDIT_ANCHOR_EMAILS = ["rssi@finances.gouv.fr", "archives@finances.gouv.fr"]
    first, last = entries_on(2, 1)

    with freeze_time(NOW), django_capture_on_commit_callbacks(execute=True):
        assert anchor_audit_log.run() == 2
        assert anchor_audit_log.run() == 2  # the same night again (a task delivered twice): nothing more is sent

    assert sorted(message.to[0] for message in mailoutbox) == ["archives@finances.gouv.fr", "rssi@finances.gouv.fr"]
    message = mailoutbox[0]
    assert message.subject == "AMI PTCE — empreinte du journal d'audit du 1er juin 2027"
    assert "La chaîne d'empreintes est intacte (entrées vérifiées : 2)." in message.body
    assert f"Dernière entrée : n° {last.pk}, le 31 mai 2027 à 14 h 00" in message.body
    assert f"Son empreinte SHA-256 : {last.hash}" in message.body
    assert f"manage.py verify_audit_log --expect-hash {last.hash}" in message.body


def test_the_anchor_message_says_when_the_log_is_broken(settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.AUDIT_ANCHOR_EMAILS = ["rssi@finances.gouv.fr"]
    first, second = entries_on(2, 1)
    tamper(f"UPDATE {TABLE} SET ip = %s WHERE id = %s", ["203.0.113.66", first.pk])

    with freeze_time(NOW), django_capture_on_commit_callbacks(execute=True):
        anchor_audit_log.run()

    (message,) = mailoutbox
    assert message.subject == "AMI PTCE — journal d'audit ALTÉRÉ (1er juin 2027)"
    assert f"LE JOURNAL EST ALTÉRÉ : l'entrée n° {first.pk} (le 30 mai 2027 à 14 h 00" in message.body
    assert "(entrées vérifiées avant elle : 0)" in message.body
