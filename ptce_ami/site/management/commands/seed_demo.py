"""Demo data: a user for every role; the 2023 edition decided, its grants paid; the 2026 edition under way, with
drafts and submitted dossiers in several regions, their instruction, reviews and regional opinions, the PTCE
émergents and their bouquet requests, phase-2 dossiers and grants, and a committee's provisional decisions
(demo_selection.py has the calendar); then, written in bulk, some three hundred fictitious dossiers across the
regions and states, so that every chart of the dashboards shows something (demo_bulk.py).

Idempotent: running it again updates the same rows (dates are moved so that phase 1 stays open).
Refuses to run outside DEBUG unless --force: demo accounts share one known password, and the accounts whose role
requires a second factor (TWO_FACTOR_REQUIRED_ROLES) share one known TOTP secret, printed with the password
(`python manage.py demo_totp_code` prints the current code).
"""

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import ngettext

from applications.models import Dossier, Edition
from ptce_ami.accounts import two_factor
from ptce_ami.accounts.enums import Role
from ptce_ami.accounts.models import User
from ptce_ami.core.models import EmailStatus, OutboundEmail
from ptce_ami.site.demo import seed_dossiers, seed_evaluation
from ptce_ami.site.demo_bulk import seed_bulk
from ptce_ami.site.demo_selection import seed_calls, seed_selection
from reviews.models import Assignment, Decision, Grant, RegionalOpinion, Review
from territories.models import Region

DEFAULT_PASSWORD = "demo-ptce-2026"
# The TOTP secret (base32) of the demo accounts that need a second factor: add it to an authenticator application,
# or ask `manage.py demo_totp_code` for the current code.
DEMO_TOTP_SECRET = "AMIPTCEDEMOTOTPSECRETKEYFORDEMOS"
FILE_EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
DEMO_USERS = [
    ("porteur@demo.ptce.fr", Role.PORTEUR, "Camille", "Martin", "Régie de quartier Moulins Sud", []),
    ("porteur2@demo.ptce.fr", Role.PORTEUR, "Yannick", "Le Goff", "SCIC Terres de Liens Bretagne", []),
    ("porteur3@demo.ptce.fr", Role.PORTEUR, "Inès", "Garnier", "Association VRAC Lyon", []),
    ("evaluateur@demo.ptce.fr", Role.EVALUATEUR, "Nadia", "Benali", "Experte ESS indépendante", []),
    ("evaluateur2@demo.ptce.fr", Role.EVALUATEUR, "Marc", "Lefèvre", "France Active Auvergne-Rhône-Alpes", []),
    ("evaluateur3@demo.ptce.fr", Role.EVALUATEUR, "Claire", "Morel", "Université Lumière Lyon 2", []),
    ("cress-ara@demo.ptce.fr", Role.PARTENAIRE, "Julien", "Faure", "CRESS Auvergne-Rhône-Alpes", ["84"]),
    ("instructeur@demo.ptce.fr", Role.INSTRUCTEUR, "Sophie", "Durand", "DG Trésor — bureau ESS", []),
    ("admin@demo.ptce.fr", Role.ADMINISTRATEUR, "Thomas", "Bernard", "DG Trésor", []),
]


def emails_summary(emails):
    """One line on the e-mails of this run: how many were sent and where to; how many are not sent yet."""
    sent = emails.filter(status=EmailStatus.SENT).count()
    if settings.EMAIL_BACKEND == FILE_EMAIL_BACKEND:
        folder = Path(settings.EMAIL_FILE_PATH).resolve()
        if folder.is_relative_to(settings.BASE_DIR):
            folder = folder.relative_to(settings.BASE_DIR)
        line = ngettext(
            "%(count)d courriel de démonstration écrit dans %(folder)s/",
            "%(count)d courriels de démonstration écrits dans %(folder)s/",
            sent,
        ) % {"count": sent, "folder": folder}
    else:
        line = ngettext(
            "%(count)d courriel de démonstration envoyé", "%(count)d courriels de démonstration envoyés", sent
        ) % {"count": sent}
    # With a broker, a worker sends them later; a failed one is listed in the admin.
    unsent = emails.exclude(status=EmailStatus.SENT).count()
    if unsent:
        line += ngettext(" (%(count)d pas encore envoyé)", " (%(count)d pas encore envoyés)", unsent) % {
            "count": unsent
        }
    return line


class Command(BaseCommand):
    help = "Crée ou met à jour les données de démonstration (édition, phases, comptes de chaque rôle)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Autoriser l'exécution hors mode DEBUG.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo crée des comptes au mot de passe connu : réservé au mode DEBUG (--force).")
        missing = {code for *_, codes in DEMO_USERS for code in codes} - set(
            Region.objects.values_list("pk", flat=True)
        )
        if missing:
            raise CommandError("Régions absentes : lancez d'abord « python manage.py load_territories ».")
        password = os.environ.get("DEMO_PASSWORD", DEFAULT_PASSWORD)
        emails_before = OutboundEmail.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        with transaction.atomic():
            users = self.seed_users(password)
            today = timezone.localdate()
            phases = seed_calls(today)
            by_email = {user.email: user for user in users}
            dossiers = seed_dossiers(phases["p1w2"], by_email)
            seed_evaluation(dossiers, by_email)
            seed_selection(phases, by_email, today)
            seed_bulk(phases, by_email, today)  # the crowd the dashboards' charts need
        edition = phases["p1w2"].edition
        self.stdout.write(
            f"Édition « {edition} » : {edition.phases.count()} phases, "
            f"{Dossier.objects.filter(phase__edition=edition).count()} dossiers ; "
            f"{Edition.objects.count()} éditions, {Decision.objects.published().count()} décisions publiées, "
            f"{Decision.objects.provisional().count()} provisoires, {Grant.objects.count()} aides."
        )
        self.stdout.write(
            f"Évaluation : {Assignment.objects.count()} affectations, {Review.objects.count()} évaluations, "
            f"{RegionalOpinion.objects.count()} avis régionaux."
        )
        # Tasks are queued on commit: with inline tasks (the demo's), this run's e-mails have been sent by now.
        self.stdout.write(emails_summary(OutboundEmail.objects.filter(pk__gt=emails_before)))
        # The accounts come last: `make run` prints the server's address right below them.
        self.stdout.write(f"{len(users)} comptes de démonstration, mot de passe : {password}")
        for user in users:
            self.stdout.write(f"  {user.get_role_display():<22} {user.email}")
        enrolled = [user for user in users if two_factor.is_required_for(user)]
        if enrolled:
            self.stdout.write(
                f"Double authentification de {', '.join(user.email for user in enrolled)} : clé TOTP "
                f"{DEMO_TOTP_SECRET} (application d'authentification), ou code du moment : "
                "python manage.py demo_totp_code"
            )

    def seed_users(self, password):
        users = []
        for email, role, first_name, last_name, organisation, region_codes in DEMO_USERS:
            user, _ = User.objects.update_or_create(
                email=email,
                defaults={
                    "role": role,
                    "first_name": first_name,
                    "last_name": last_name,
                    "organisation": organisation,
                    "is_active": True,
                },
            )
            if not user.email_confirmed:
                user.email_confirmed_at = timezone.now()
            if not user.check_password(password):
                user.set_password(password)
            user.save()
            user.regions.set(region_codes)
            if two_factor.is_required_for(user):
                two_factor.enrol_with_secret(user, DEMO_TOTP_SECRET)
            users.append(user)
        return users
