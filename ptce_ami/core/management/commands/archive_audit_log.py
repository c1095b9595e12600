"""Archive and remove the audit log's oldest rows (ptce_ami.core.audit.archive_prefix): those older than
AUDIT_RETENTION_DAYS, or than ``--before`` (a date). What the nightly task core.archive_audit_log does."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ptce_ami.core import audit
from ptce_ami.core.management.commands.verify_audit_log import entries


class Command(BaseCommand):
    help = (
        "Archive dans un fichier, puis retire du journal d'audit, les entrées plus anciennes que "
        "AUDIT_RETENTION_DAYS jours ou que --before."
    )

    def add_arguments(self, parser):
        parser.add_argument("--before", type=datetime.date.fromisoformat, help="Date (AAAA-MM-JJ), exclue.")

    def handle(self, *args, before, **options):
        if before is not None:
            cutoff = timezone.make_aware(datetime.datetime.combine(before, datetime.time.min))
        elif settings.AUDIT_RETENTION_DAYS > 0:
            cutoff = timezone.now() - datetime.timedelta(days=settings.AUDIT_RETENTION_DAYS)
        else:
            raise CommandError(
                "AUDIT_RETENTION_DAYS vaut 0 (journal conservé sans limite) : indiquez --before pour archiver."
            )
        try:
            checkpoint = audit.archive_prefix(before=cutoff, by_label="manage.py archive_audit_log")
        except audit.ChainBroken as error:
            raise CommandError(
                f"Journal d'audit altéré à l'entrée id={error.entry.pk} : rien n'est archivé. Lancez verify_audit_log."
            ) from error
        if checkpoint is None:
            self.stdout.write(f"Aucune entrée antérieure au {cutoff:%d/%m/%Y %H:%M} : rien à archiver.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"{entries(checkpoint.rows, 'archivée')} dans {audit.archive_dir() / checkpoint.archive_name} "
                f"(SHA-256 {checkpoint.archive_sha256}), puis retirées du journal."
            )
        )
