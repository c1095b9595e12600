import time

from django.core.management.base import BaseCommand, CommandError

from territories.loader import ReferentialFileError, default_file, load_referential


class Command(BaseCommand):
    help = (
        "Charge (ou met à jour) le référentiel des territoires — régions, départements, EPCI, communes — "
        "depuis le fichier dérivé du Code officiel géographique. Idempotent : une seconde exécution ne change rien."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", help="Fichier cog-<année>.json.gz (par défaut : le plus récent fourni).")

    def handle(self, *args, file=None, **options):
        started = time.monotonic()
        try:
            report = load_referential(file or default_file())
        except ReferentialFileError as error:
            raise CommandError(str(error)) from error
        for counts in report.counts:
            self.stdout.write(self.format_counts(counts))
        self.stdout.write(self.conclusion(report, time.monotonic() - started))

    def format_counts(self, counts):
        line = (
            f"{counts.label} : {counts.created} créé(e)s, {counts.updated} mis(es) à jour, "
            f"{counts.unchanged} inchangé(e)s"
        )
        if counts.absent:
            line += f", {counts.absent} absent(e)s du fichier (conservé(e)s)"
        return line

    def conclusion(self, report, elapsed):
        source = report.source
        name = f"{source['package']} {source['version']} (COG {source['year']})"
        if not report.changed:
            return self.style.SUCCESS(f"Aucun changement : le référentiel {name} est déjà à jour ({elapsed:.1f} s).")
        return self.style.SUCCESS(f"Référentiel {name} chargé en {elapsed:.1f} s (SHA-256 {report.checksum[:12]}…).")
