"""Verify the audit log's SHA-256 chain (ptce_ami.core.audit): prints the number of rows verified; on a broken
link, names the first broken row (id, time) and exits with status 1."""

from django.core.management.base import BaseCommand, CommandError

from ptce_ami.core import audit


class Command(BaseCommand):
    help = "Vérifie la chaîne d'empreintes du journal d'audit et signale la première entrée altérée."

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=2000)

    def handle(self, *args, chunk_size, **options):
        count, broken = audit.verify(chunk_size=chunk_size)
        if broken is not None:
            raise CommandError(
                f"Audit log broken at entry id={broken.pk} at={broken.at.isoformat()} "
                f"({broken.action}); {count} entries verified before it."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit log verified: {count} entries, chain intact."))
