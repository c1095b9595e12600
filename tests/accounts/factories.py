import factory
from django.utils import timezone

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
