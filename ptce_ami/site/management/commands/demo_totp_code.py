"""The current second-factor code of the demo accounts (seed_demo gives them one known TOTP secret). DEBUG only."""

from base64 import b32decode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from ptce_ami.accounts import two_factor
from ptce_ami.site.management.commands.seed_demo import DEMO_TOTP_SECRET, DEMO_USERS


class Command(BaseCommand):
    help = "Affiche le code de double authentification du moment des comptes de démonstration."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("demo_totp_code est réservé au mode DEBUG, comme les comptes de démonstration.")
        emails = [email for email, *_ in DEMO_USERS]
        devices = TOTPDevice.objects.filter(user__email__in=emails, confirmed=True).select_related("user")
        demo_key = b32decode(DEMO_TOTP_SECRET).hex()
        for device in devices.filter(key=demo_key).order_by("user__email"):
            self.stdout.write(f"{device.user.email} : {two_factor.current_code(device)}")
