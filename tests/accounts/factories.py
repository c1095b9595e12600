import factory
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ptce_ami.accounts.enums import Role
from ptce_ami.accounts.models import User
from territories.models import Region

PASSWORD = "un-mot-de-passe-solide"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["code"]

    code = "84"
    name = "Auvergne-Rhône-Alpes"
    zone = "metro"
    cress_name = "CRESS Auvergne-Rhône-Alpes"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@example.fr")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    role = Role.PORTEUR
    email_confirmed_at = factory.LazyFunction(timezone.now)
    password = factory.django.Password(PASSWORD)

    class Params:
        porteur = factory.Trait(role=Role.PORTEUR)
        evaluateur = factory.Trait(role=Role.EVALUATEUR)
        partenaire = factory.Trait(role=Role.PARTENAIRE)
        instructeur = factory.Trait(role=Role.INSTRUCTEUR)
        administrateur = factory.Trait(role=Role.ADMINISTRATEUR)
        unconfirmed = factory.Trait(email_confirmed_at=None)

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        if create and extracted:
            self.regions.set(extracted)


# Second factor ----------------------------------------------------------------------------------------------


def code_for(device):
    """The code an authenticator application shows now (django-otp's own TOTP, as the application computes it)."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def another_code(code):
    return f"{(int(code) + 1) % 1_000_000:06d}"


def enrolled(user):
    device = TOTPDevice.objects.create(user=user, name="totp", confirmed=True)
    recovery = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = [f"abcdef{letter}{letter}" for letter in "ghijklmnop"]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=code) for code in codes)
    return device, codes
