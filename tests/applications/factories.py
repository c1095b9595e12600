import datetime
import hashlib

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from stdnum import luhn

from applications.enums import AttachmentKind, DossierState, EssLegalForm, MemberCategory, MemberRole, PhaseKind
from applications.models import Attachment, Dossier, Edition, MemberStructure, Phase, Sector
from territories.models import Commune
from tests.accounts.factories import UserFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def siret_from(number):
    """A valid SIRET (Luhn) built from a small number: siret_from(1) -> '000000018' + NIC + key."""
    siren_body = f"{number % 10**8:08d}"
    siren = siren_body + luhn.calc_check_digit(siren_body)
    body = siren + f"{number % 10**4:04d}"
    return body + luhn.calc_check_digit(body)


class EditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Edition
        django_get_or_create = ["year"]

    year = 2026
    name = factory.LazyAttribute(lambda edition: f"AMI PTCE {edition.year}")
    published = True
    envelope = 500_000


class PhaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Phase

    edition = factory.SubFactory(EditionFactory)
    kind = PhaseKind.PHASE1
    wave = factory.Sequence(lambda n: n + 1)
    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=30))
    closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=30))
    required_attachment_kinds = factory.LazyFunction(
        lambda: [AttachmentKind.STATUTES.value, AttachmentKind.SWORN_STATEMENT.value]
    )

    class Params:
        closed = factory.Trait(
            opens_at=factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=60)),
            closes_at=factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1)),
        )
        # A phase 2 as in 2026: €30k–80k per dossier over 2 years, €500k.
        phase2 = factory.Trait(
            kind=PhaseKind.PHASE2,
            min_grant=30_000,
            max_grant=80_000,
            envelope=500_000,
            required_attachment_kinds=factory.LazyFunction(lambda: [AttachmentKind.STATUTES.value]),
        )


class DossierFactory(factory.django.DjangoModelFactory):
    """A draft; ``complete=True`` fills every step (needs the mini referential loaded: fixture ``referential``)."""

    class Meta:
        model = Dossier
        skip_postgeneration_save = True

    phase = factory.SubFactory(PhaseFactory)
    owner = factory.SubFactory(UserFactory)
    reference = factory.Sequence(lambda n: f"PTCE-2026-P1-{n + 1:04d}")
    name = factory.Sequence(lambda n: f"Pôle de coopération n° {n + 1}")

    class Params:
        complete = factory.Trait(
            summary="Une coopération entre acteurs de l'ESS, entreprises et collectivités du territoire.",
            stage="emergence",
            representative_name="Camille Martin",
            representative_title="Présidente",
            contact_name="Camille Martin",
            contact_email="contact@example.fr",
            territory_type="urbain",
            shared_strategy="Mutualiser un atelier de réemploi.",
            governance="Un comité de pilotage mensuel.",
            collectivites_link="La métropole co-pilote le pôle.",
            innovation="Une plateforme partagée de collecte.",
            economic_model="Prestations et subventions.",
            expected_impact="Douze emplois non délocalisables.",
            bouquet_needs=["dla", "tsf"],
            charter_adherence=True,
            certify_accurate=True,
        )
        submitted = factory.Trait(
            state=DossierState.SUBMITTED,
            submitted_at=factory.LazyFunction(timezone.now),
        )

    parts = factory.Maybe(
        "complete",
        yes_declaration=factory.PostGeneration(
            lambda dossier, create, extracted, **kwargs: add_complete_parts(dossier)
        ),
    )


def add_complete_parts(dossier):
    """Sectors, territory, three members of the required kinds and the phase's required attachments."""
    lyon = Commune.objects.get(code="69123", kind="commune-actuelle")
    villeurbanne = Commune.objects.get(code="69266")
    # get_or_create: a transactional test before this one may have flushed the rows the migration seeded.
    sector, _ = Sector.objects.get_or_create(code="economie-circulaire", defaults={"label": "Économie circulaire"})
    dossier.sectors.add(sector)
    dossier.communes.add(lyon, villeurbanne)
    dossier.region_id = "84"
    dossier.save(update_fields=["region"])
    MemberFactory(dossier=dossier, lead=True, commune=lyon)
    MemberFactory(dossier=dossier, category=MemberCategory.ENTERPRISE, ess_legal_form="", commune=villeurbanne)
    MemberFactory(dossier=dossier, category=MemberCategory.COLLECTIVITE, ess_legal_form="", commune=lyon)
    for kind in dossier.phase.required_attachment_kinds:
        AttachmentFactory(dossier=dossier, kind=kind)


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberStructure

    dossier = factory.SubFactory(DossierFactory)
    name = factory.Sequence(lambda n: f"Structure {n + 1}")
    siret = factory.Sequence(lambda n: siret_from(n + 1))
    category = MemberCategory.ESS_ENTERPRISE
    ess_legal_form = EssLegalForm.ASSOCIATION
    role = MemberRole.MEMBER
    position = factory.Sequence(lambda n: n + 1)

    class Params:
        lead = factory.Trait(role=MemberRole.LEAD, position=0, name="Association Coop des Rives")


class AttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attachment

    dossier = factory.SubFactory(DossierFactory)
    kind = AttachmentKind.STATUTES
    original_name = factory.LazyAttribute(lambda attachment: f"{attachment.kind}.pdf")
    extension = ".pdf"
    content_type = "application/pdf"
    size = len(PDF_BYTES)
    sha256 = hashlib.sha256(PDF_BYTES).hexdigest()
    uploaded_by = factory.LazyAttribute(lambda attachment: attachment.dossier.owner)
    file = factory.LazyAttribute(lambda attachment: ContentFile(PDF_BYTES, name="piece.pdf"))
