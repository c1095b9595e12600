"""`manage.py apply_retention`: what is past its retention period, per category (a dry run, the default);
`--apply` deletes or anonymises it and records the counts in the audit log."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reviews.services import retention


class Command(BaseCommand):
    help = "Applique les durées de conservation (simulation par défaut ; --apply pour supprimer ou anonymiser)."

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="Supprimer ou anonymiser pour de bon.")
        parser.add_argument("--dry-run", action="store_true", help="Simulation : rien n'est modifié (par défaut).")
        parser.add_argument(
            "--as-of",
            type=datetime.date.fromisoformat,
            help="Simulation à une date future (AAAA-MM-JJ), pour voir ce qui sera concerné ; sans --apply seulement.",
        )

    def handle(self, *args, apply=False, dry_run=False, as_of=None, **options):
        apply = apply and not dry_run
        if as_of is not None and apply:
            raise CommandError("--as-of ne sert qu'à la simulation : il ne se combine pas avec --apply.")
        now = None
        if as_of is not None:
            now = timezone.make_aware(datetime.datetime.combine(as_of, datetime.time(12)))
            self.stdout.write(f"Au {as_of:%d/%m/%Y} :")
        found = retention.run(apply=apply, now=now)
        title = (
            "Durées de conservation appliquées"
            if apply
            else "Simulation (rien n'est modifié ; --apply pour appliquer)"
        )
        self.stdout.write(title)
        for key, (category, _items) in found.items():
            oldest = timezone.localtime(category.oldest).strftime("%d/%m/%Y") if category.oldest else "—"
            line = f"  {category.label} [{key}] : {category.count} (le plus ancien : {oldest})"
            if apply:
                line += f" ; traités : {category.done}"
                if category.skipped:
                    line += f" ; conservés car encore référencés : {', '.join(category.skipped[:5])}"
            self.stdout.write(line)
