"""What the API answers (pydantic schemas, turned into the OpenAPI schema by django-ninja).

Descriptions are French (the documentation page translates them at rendering: gettext_noop marks them for
``makemessages``). A field a role may not see is present and null for that role (said in its description).
"""

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext_noop as N_
from ninja import Field, Schema


class PageOut(Schema):
    next_cursor: str | None = Field(
        description=N_("Curseur de la page suivante (paramètre cursor), null sur la dernière page.")
    )
    next: str | None = Field(description=N_("Adresse complète de la page suivante, null sur la dernière page."))


class ErrorOut(Schema):
    detail: str = Field(description=N_("Ce qui ne va pas, en français."))


# Territories --------------------------------------------------------------------------------------------------------


class RegionOut(Schema):
    code: str = Field(description=N_("Code INSEE de la région."))
    name: str = Field(description=N_("Nom de la région."))
    zone: str = Field(description=N_("Zone : métropole ou outre-mer."))
    cress_name: str = Field(description=N_("Chambre régionale de l'ESS (CRESS)."))


class DepartementOut(Schema):
    code: str = Field(description=N_("Code INSEE du département."))
    name: str = Field(description=N_("Nom du département."))
    region: str = Field(alias="region_id", description=N_("Code INSEE de sa région."))
    population: int | None = Field(description=N_("Population (somme de ses communes)."))


class RegionPage(PageOut):
    results: list[RegionOut]


class DepartementPage(PageOut):
    results: list[DepartementOut]


# Dossiers ---------------------------------------------------------------------------------------------------------


class PhaseOut(Schema):
    id: int = Field(description=N_("Identifiant de la phase."))
    kind: str = Field(description=N_("Type de phase : phase1 (PTCE émergents) ou phase2 (financement)."))
    wave: int = Field(description=N_("Vague de la phase dans son édition."))
    edition: int = Field(alias="edition_id", description=N_("Identifiant de l'édition (filtre edition)."))
    edition_year: int = Field(alias="edition.year", description=N_("Année de l'édition."))


class DossierOut(Schema):
    reference: str = Field(description=N_("Référence du dossier, son identifiant dans l'API."))
    name: str = Field(description=N_("Nom du pôle."))
    state: str = Field(description=N_("État du dossier (valeurs du filtre state)."))
    state_label: str = Field(alias="get_state_display", description=N_("Libellé de l'état."))
    phase: PhaseOut = Field(description=N_("Phase et édition du dossier."))
    region: str | None = Field(alias="region_id", description=N_("Code INSEE de la région du pôle."))
    territory_type: str = Field(description=N_("Type de territoire : urbain, rural ou mixte (vide si non dit)."))
    submitted_at: datetime.datetime | None = Field(description=N_("Date et heure du premier dépôt."))
    score: Decimal | None = Field(description=N_("Note du dossier sur 100 (évaluations rendues), null sans note."))
    url: str = Field(description=N_("Page du dossier dans l'espace des agents."))

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
    summary: str = Field(description=N_("Présentation synthétique du pôle."))
    stage: str = Field(description=N_("Stade de développement."))
    started_on: datetime.date | None = Field(description=N_("Début de la coopération."))
    website: str = Field(description=N_("Site internet du pôle."))
    includes_qpv: bool = Field(description=N_("Le territoire comprend un quartier prioritaire de la ville."))
    jobs_expected: int | None = Field(description=N_("Emplois créés ou consolidés attendus."))
    animation_fte: Decimal | None = Field(description=N_("ETP consacrés à l'animation du pôle."))
    sectors: list[str] = Field(description=N_("Secteurs et filières (libellés)."))
    departements: list[str] = Field(description=N_("Codes INSEE des départements du territoire déclaré."))
    member_count: int = Field(description=N_("Nombre de structures membres."))

    @staticmethod
    def resolve_sectors(dossier):
        return [sector.name for sector in dossier.sectors.all()]

    @staticmethod
    def resolve_departements(dossier):
        return [departement.code for departement in dossier.departements.all()]


class MemberOut(Schema):
    id: int = Field(description=N_("Identifiant de la structure membre."))
    name: str = Field(description=N_("Nom de la structure."))
    siret: str = Field(description=N_("SIRET (vide pour une personne physique ou une structure sans SIRET)."))
    category: str = Field(description=N_("Catégorie de l'article 9 de la loi ESS (valeurs du filtre category)."))
    category_label: str = Field(alias="get_category_display", description=N_("Libellé de la catégorie."))
    ess_legal_form: str = Field(description=N_("Forme juridique de l'ESS (vide hors ESS)."))
    esus_approved: bool = Field(description=N_("Agrément « entreprise solidaire d'utilité sociale »."))
    role: str = Field(description=N_("Rôle dans le pôle : lead (structure porteuse), member ou partner."))
    commune: str | None = Field(alias="commune.code", default=None, description=N_("Code INSEE de sa commune."))

    @staticmethod
    def resolve_commune(member):
        return member.commune.code if member.commune_id else None


class MemberPage(PageOut):
    results: list[MemberOut]


# Evaluation and selection ------------------------------------------------------------------------------------------


class CriterionScoreOut(Schema):
    criterion: str = Field(description=N_("Critère de la grille."))
    weight: int = Field(description=N_("Poids du critère."))
    value: int | None = Field(description=N_("Niveau donné, de 0 à 4 (null s'il manque)."))


class ReviewOut(Schema):
    id: int = Field(description=N_("Identifiant de l'évaluation."))
    dossier: str = Field(alias="dossier.reference", description=N_("Référence du dossier évalué."))
    status: str = Field(description=N_("État : draft (brouillon) ou submitted (rendue)."))
    counted: bool = Field(
        alias="api_counted", description=N_("Rendue et comptée dans la note (pas retirée pour conflit d'intérêts).")
    )
    recommendation: str = Field(
        description=N_("Recommandation : favourable, reserved ou unfavourable (vide si aucune).")
    )
    total: Decimal | None = Field(description=N_("Note sur 100 de l'évaluation, une fois rendue."))
    submitted_at: datetime.datetime | None = Field(description=N_("Date et heure où l'évaluation a été rendue."))
    scores: list[CriterionScoreOut] | None = Field(
        alias="api_scores",
        description=N_("Niveaux par critère : instructeurs seulement (null pour les partenaires régionaux)."),
    )


class ReviewPage(PageOut):
    results: list[ReviewOut]


class OpinionOut(Schema):
    dossier: str = Field(alias="dossier.reference", description=N_("Référence du dossier."))
    region: str = Field(alias="region_id", description=N_("Code INSEE de la région qui donne l'avis."))
    opinion: str = Field(description=N_("Avis : favourable, reserved ou unfavourable."))
    opinion_label: str = Field(alias="get_opinion_display", description=N_("Libellé de l'avis."))
    text: str = Field(description=N_("Motivation de l'avis."))
    rank: int | None = Field(description=N_("Rang du dossier dans sa région et sa phase."))
    updated_at: datetime.datetime = Field(description=N_("Dernière modification de l'avis."))


class OpinionPage(PageOut):
    results: list[OpinionOut]


class DecisionOut(Schema):
    id: int = Field(description=N_("Identifiant de la décision."))
    dossier: str = Field(alias="dossier.reference", description=N_("Référence du dossier."))
    outcome: str = Field(description=N_("Décision : laureate (lauréat) ou not_retained (non retenu)."))
    outcome_label: str = Field(alias="get_outcome_display", description=N_("Libellé de la décision."))
    amount: Decimal | None = Field(description=N_("Montant accordé en euros (phase 2)."))
    decided_at: datetime.datetime = Field(description=N_("Date de la proposition au comité."))
    published_at: datetime.datetime | None = Field(
        description=N_("Date de publication ; null tant que la décision est provisoire.")
    )
    revoked_at: datetime.datetime | None = Field(description=N_("Date d'annulation par une réouverture, sinon null."))
    motivation: str | None = Field(
        alias="api_motivation",
        description=N_("Motivation : instructeurs seulement (null pour les partenaires régionaux)."),
    )


class DecisionPage(PageOut):
    results: list[DecisionOut]


class TrancheOut(Schema):
    position: int = Field(description=N_("Ordre du versement."))
    label: str = Field(description=N_("Intitulé de la tranche."))
    percent: int = Field(description=N_("Part de l'aide (%)."))
    amount: Decimal = Field(description=N_("Montant de la tranche en euros."))
    condition: str = Field(description=N_("Condition de versement."))
    status: str = Field(description=N_("État du versement."))
    paid_on: datetime.date | None = Field(description=N_("Date du versement, une fois versé."))


class GrantOut(Schema):
    id: int = Field(description=N_("Identifiant de l'aide."))
    dossier: str = Field(alias="dossier.reference", description=N_("Référence du dossier lauréat."))
    amount: Decimal = Field(description=N_("Montant de l'aide en euros."))
    status: str = Field(description=N_("État de l'aide."))
    agreement_signed_on: datetime.date | None = Field(description=N_("Date de signature de la convention."))
    year3_decision: str = Field(description=N_("Décision sur l'aide complémentaire de 3e année (vide sinon)."))
    year3_amount: Decimal | None = Field(description=N_("Montant de 3e année en euros."))
    created_at: datetime.datetime = Field(description=N_("Création de l'aide (publication de la décision)."))
    tranches: list[TrancheOut] = Field(description=N_("Les versements de l'aide, dans l'ordre."))

    @staticmethod
    def resolve_tranches(grant):
        return list(grant.payments.all())


class GrantPage(PageOut):
    results: list[GrantOut]
