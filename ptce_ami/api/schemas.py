"""What the API answers (pydantic schemas, turned into the OpenAPI schema by django-ninja).

Descriptions are French (the documentation page translates them at rendering: gettext_noop marks them for
``makemessages``). A field a role may not see is present and null for that role (said in its description).
"""

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext_noop
from ninja import Field, Schema


class PageOut(Schema):
    next_cursor: str | None = Field(
        description=gettext_noop("Curseur de la page suivante (paramètre cursor), null sur la dernière page.")
    )
    next: str | None = Field(
        description=gettext_noop("Adresse complète de la page suivante, null sur la dernière page.")
    )


class ErrorOut(Schema):
    detail: str = Field(description=gettext_noop("Ce qui ne va pas, en français."))


# Territories --------------------------------------------------------------------------------------------------------


class RegionOut(Schema):
    code: str = Field(description=gettext_noop("Code INSEE de la région."))
    name: str = Field(description=gettext_noop("Nom de la région."))
    zone: str = Field(description=gettext_noop("Zone : métropole ou outre-mer."))
    cress_name: str = Field(description=gettext_noop("Chambre régionale de l'ESS (CRESS)."))


class DepartementOut(Schema):
    code: str = Field(description=gettext_noop("Code INSEE du département."))
    name: str = Field(description=gettext_noop("Nom du département."))
    region: str = Field(alias="region_id", description=gettext_noop("Code INSEE de sa région."))
    population: int | None = Field(description=gettext_noop("Population (somme de ses communes)."))


class RegionPage(PageOut):
    results: list[RegionOut]


class DepartementPage(PageOut):
    results: list[DepartementOut]


# Dossiers ---------------------------------------------------------------------------------------------------------


class PhaseOut(Schema):
    id: int = Field(description=gettext_noop("Identifiant de la phase."))
    kind: str = Field(description=gettext_noop("Type de phase : phase1 (PTCE émergents) ou phase2 (financement)."))
    wave: int = Field(description=gettext_noop("Vague de la phase dans son édition."))
    edition: int = Field(alias="edition_id", description=gettext_noop("Identifiant de l'édition (filtre edition)."))
    edition_year: int = Field(alias="edition.year", description=gettext_noop("Année de l'édition."))


class DossierOut(Schema):
    reference: str = Field(description=gettext_noop("Référence du dossier, son identifiant dans l'API."))
    name: str = Field(description=gettext_noop("Nom du pôle."))
    state: str = Field(description=gettext_noop("État du dossier (valeurs du filtre state)."))
    state_label: str = Field(alias="get_state_display", description=gettext_noop("Libellé de l'état."))
    phase: PhaseOut = Field(description=gettext_noop("Phase et édition du dossier."))
    region: str | None = Field(alias="region_id", description=gettext_noop("Code INSEE de la région du pôle."))
    territory_type: str = Field(
        description=gettext_noop("Type de territoire : urbain, rural ou mixte (vide si non dit).")
    )
    submitted_at: datetime.datetime | None = Field(description=gettext_noop("Date et heure du premier dépôt."))
    score: Decimal | None = Field(
        description=gettext_noop("Note du dossier sur 100 (évaluations rendues), null sans note.")
    )
    url: str = Field(description=gettext_noop("Page du dossier dans l'espace des agents."))

    @staticmethod
    def resolve_score(dossier):
        return dossier.score_value  # annotated by ptce_ami.api.endpoints.dossier_queryset

    @staticmethod
    def resolve_url(dossier, context):
        path = reverse("reviews:dossier", kwargs={"reference": dossier.reference})
        return context["request"].build_absolute_uri(path)


class DossierPage(PageOut):
    results: list[DossierOut]


class DossierDetailOut(DossierOut):
    summary: str = Field(description=gettext_noop("Présentation synthétique du pôle."))
    stage: str = Field(description=gettext_noop("Stade de développement."))
    started_on: datetime.date | None = Field(description=gettext_noop("Début de la coopération."))
    website: str = Field(description=gettext_noop("Site internet du pôle."))
    includes_qpv: bool = Field(description=gettext_noop("Le territoire comprend un quartier prioritaire de la ville."))
    jobs_expected: int | None = Field(description=gettext_noop("Emplois créés ou consolidés attendus."))
    animation_fte: Decimal | None = Field(description=gettext_noop("ETP consacrés à l'animation du pôle."))
    sectors: list[str] = Field(description=gettext_noop("Secteurs et filières (libellés)."))
    departements: list[str] = Field(description=gettext_noop("Codes INSEE des départements du territoire déclaré."))
    member_count: int = Field(description=gettext_noop("Nombre de structures membres."))

    @staticmethod
    def resolve_sectors(dossier):
        return [sector.name for sector in dossier.sectors.all()]

    @staticmethod
    def resolve_departements(dossier):
        return [departement.code for departement in dossier.departements.all()]


class MemberOut(Schema):
    id: int = Field(description=gettext_noop("Identifiant de la structure membre."))
    name: str = Field(description=gettext_noop("Nom de la structure."))
    siret: str = Field(
        description=gettext_noop("SIRET (vide pour une personne physique ou une structure sans SIRET).")
    )
    category: str = Field(
        description=gettext_noop("Catégorie de l'article 9 de la loi ESS (valeurs du filtre category).")
    )
    category_label: str = Field(alias="get_category_display", description=gettext_noop("Libellé de la catégorie."))
    ess_legal_form: str = Field(description=gettext_noop("Forme juridique de l'ESS (vide hors ESS)."))
    esus_approved: bool = Field(description=gettext_noop("Agrément « entreprise solidaire d'utilité sociale »."))
    role: str = Field(description=gettext_noop("Rôle dans le pôle : lead (structure porteuse), member ou partner."))
    commune: str | None = Field(
        alias="commune.code", default=None, description=gettext_noop("Code INSEE de sa commune.")
    )

    @staticmethod
    def resolve_commune(member):
        return member.commune.code if member.commune_id else None


class MemberPage(PageOut):
    results: list[MemberOut]


# Evaluation and selection ------------------------------------------------------------------------------------------


class CriterionScoreOut(Schema):
    criterion: str = Field(description=gettext_noop("Critère de la grille."))
    weight: int = Field(description=gettext_noop("Poids du critère."))
    value: int | None = Field(description=gettext_noop("Niveau donné, de 0 à 4 (null s'il manque)."))


class ReviewOut(Schema):
    id: int = Field(description=gettext_noop("Identifiant de l'évaluation."))
    dossier: str = Field(alias="dossier.reference", description=gettext_noop("Référence du dossier évalué."))
    status: str = Field(description=gettext_noop("État : draft (brouillon) ou submitted (rendue)."))
    counted: bool = Field(
        alias="api_counted",
        description=gettext_noop("Rendue et comptée dans la note (pas retirée pour conflit d'intérêts)."),
    )
    recommendation: str = Field(
        description=gettext_noop("Recommandation : favourable, reserved ou unfavourable (vide si aucune).")
    )
    total: Decimal | None = Field(description=gettext_noop("Note sur 100 de l'évaluation, une fois rendue."))
    submitted_at: datetime.datetime | None = Field(
        description=gettext_noop("Date et heure où l'évaluation a été rendue.")
    )
    scores: list[CriterionScoreOut] | None = Field(
        alias="api_scores",
        description=gettext_noop(
            "Niveaux par critère : instructeurs seulement (null pour les partenaires régionaux)."
        ),
    )


class ReviewPage(PageOut):
    results: list[ReviewOut]


class OpinionOut(Schema):
    dossier: str = Field(alias="dossier.reference", description=gettext_noop("Référence du dossier."))
    region: str = Field(alias="region_id", description=gettext_noop("Code INSEE de la région qui donne l'avis."))
    opinion: str = Field(description=gettext_noop("Avis : favourable, reserved ou unfavourable."))
    opinion_label: str = Field(alias="get_opinion_display", description=gettext_noop("Libellé de l'avis."))
    text: str = Field(description=gettext_noop("Motivation de l'avis."))
    rank: int | None = Field(description=gettext_noop("Rang du dossier dans sa région et sa phase."))
    updated_at: datetime.datetime = Field(description=gettext_noop("Dernière modification de l'avis."))


class OpinionPage(PageOut):
    results: list[OpinionOut]


class DecisionOut(Schema):
    id: int = Field(description=gettext_noop("Identifiant de la décision."))
    dossier: str = Field(alias="dossier.reference", description=gettext_noop("Référence du dossier."))
    outcome: str = Field(description=gettext_noop("Décision : laureate (lauréat) ou not_retained (non retenu)."))
    outcome_label: str = Field(alias="get_outcome_display", description=gettext_noop("Libellé de la décision."))
    amount: Decimal | None = Field(description=gettext_noop("Montant accordé en euros (phase 2)."))
    decided_at: datetime.datetime = Field(description=gettext_noop("Date de la proposition au comité."))
    published_at: datetime.datetime | None = Field(
        description=gettext_noop("Date de publication ; null tant que la décision est provisoire.")
    )
    revoked_at: datetime.datetime | None = Field(
        description=gettext_noop("Date d'annulation par une réouverture, sinon null.")
    )
    motivation: str | None = Field(
        alias="api_motivation",
        description=gettext_noop("Motivation : instructeurs seulement (null pour les partenaires régionaux)."),
    )


class DecisionPage(PageOut):
    results: list[DecisionOut]


class TrancheOut(Schema):
    position: int = Field(description=gettext_noop("Ordre du versement."))
    label: str = Field(description=gettext_noop("Intitulé de la tranche."))
    percent: int = Field(description=gettext_noop("Part de l'aide (%)."))
    amount: Decimal = Field(description=gettext_noop("Montant de la tranche en euros."))
    condition: str = Field(description=gettext_noop("Condition de versement."))
    status: str = Field(description=gettext_noop("État du versement."))
    paid_on: datetime.date | None = Field(description=gettext_noop("Date du versement, une fois versé."))


class GrantOut(Schema):
    id: int = Field(description=gettext_noop("Identifiant de l'aide."))
    dossier: str = Field(alias="dossier.reference", description=gettext_noop("Référence du dossier lauréat."))
    amount: Decimal = Field(description=gettext_noop("Montant de l'aide en euros."))
    status: str = Field(description=gettext_noop("État de l'aide."))
    agreement_signed_on: datetime.date | None = Field(description=gettext_noop("Date de signature de la convention."))
    year3_decision: str = Field(
        description=gettext_noop("Décision sur l'aide complémentaire de 3e année (vide sinon).")
    )
    year3_amount: Decimal | None = Field(description=gettext_noop("Montant de 3e année en euros."))
    created_at: datetime.datetime = Field(description=gettext_noop("Création de l'aide (publication de la décision)."))
    tranches: list[TrancheOut] = Field(description=gettext_noop("Les versements de l'aide, dans l'ordre."))

    @staticmethod
    def resolve_tranches(grant):
        return list(grant.payments.all())


class GrantPage(PageOut):
    results: list[GrantOut]
