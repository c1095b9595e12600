"""Verify the audit log's SHA-256 chain (ptce_ami.core.audit), from its last archived prefix if any: prints the number
of rows verified and the last row's hash; on a broken link, names the first broken row (id, time) and exits with
status 1. ``--expect-hash H`` also fails unless a row (or an archived prefix's last row) has the hash H, noted
earlier: a log cut at its end keeps a valid chain, an outside note of its last hash shows the cut. ``--archive FILE``
checks an archived file instead (ptce_ami.core.audit.verify_archive)."""

from django.core.management.base import BaseCommand, CommandError

from ptce_ami.core import audit
from ptce_ami.core.models import AuditCheckpoint, AuditEntry


def entries(count, participle):
    """« 1 entrée vérifiée », « 4 entrées vérifiées » (French: singular up to 1)."""
    plural = "s" if count > 1 else ""
    return f"{count} entrée{plural} {participle}{plural}"


class Command(BaseCommand):
    help = "Vérifie la chaîne d'empreintes du journal d'audit et signale la première entrée altérée."

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=2000)
        parser.add_argument(
            "--expect-hash",
            default="",
            help="Empreinte d'une entrée relevée auparavant (par exemple la dernière) : elle doit toujours figurer.",
        )
        parser.add_argument(
            "--archive", default="", help="Vérifie ce fichier d'archive du journal plutôt que le journal."
        )

    def handle(self, *args, chunk_size, expect_hash, archive, **options):
        if archive:
            return self.verify_archive(archive)
        count, broken = audit.verify(chunk_size=chunk_size)
        if broken is not None:
            raise CommandError(
                f"Journal d'audit altéré à l'entrée id={broken.pk} du {broken.at.isoformat()} ({broken.action}) : "
                f"{entries(count, 'vérifiée')} avant elle."
            )
        checkpoint = audit.unannounced_checkpoint()
        if checkpoint is not None:
            raise CommandError(
                f"Le début du journal (entrées {checkpoint.first_id} à {checkpoint.through_id}) a été retiré sans "
                "qu'une entrée d'archivage l'annonce."
            )
        if expect_hash and not (
            AuditEntry.objects.filter(hash=expect_hash).exists()
            or AuditCheckpoint.objects.filter(through_hash=expect_hash).exists()
        ):
            raise CommandError(
                f"Aucune entrée n'a l'empreinte {expect_hash} : le journal a été tronqué après elle, "
                "ou elle est fausse."
            )
        base_id, _base_hash = audit.chain_base()
        last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
        start = f", à partir de l'archive close à l'entrée {base_id}" if base_id else ""
        verified = entries(count, "vérifiée")
        self.stdout.write(self.style.SUCCESS(f"Journal d'audit vérifié : {verified}, chaîne intacte{start}."))
        if last:
            self.stdout.write(f"Dernière empreinte (à noter hors de la plateforme) : {last}")

    def verify_archive(self, path):
        try:
            check = audit.verify_archive(path)
        except (OSError, EOFError, ValueError) as error:
            raise CommandError(f"Archive illisible ({path}) : {error}") from error
        if check.problem:
            raise CommandError(f"Archive {path} non conforme : {check.problem}.")
        checkpoint = check.checkpoint
        self.stdout.write(
            self.style.SUCCESS(
                f"Archive vérifiée : {entries(check.rows, 'archivée')} "
                f"(id {checkpoint.first_id} à {checkpoint.through_id}, du "
                f"{checkpoint.first_at:%d/%m/%Y} au {checkpoint.last_at:%d/%m/%Y}), conforme à l'empreinte "
                "enregistrée."
            )
        )
