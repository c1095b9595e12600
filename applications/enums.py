from django.db import models
from django.utils.translation import gettext_lazy as _


class PhaseKind(models.TextChoices):
    PHASE1 = "phase1", _("Phase 1 — PTCE émergents")
    PHASE2 = "phase2", _("Phase 2 — financement")


PHASE_REFERENCE_CODES = {PhaseKind.PHASE1: "P1", PhaseKind.PHASE2: "P2"}


class DossierState(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Déposé")
    CORRECTIONS_REQUESTED = "corrections_requested", _("En correction")
    IN_REVIEW = "in_review", _("En instruction")
    ELIGIBLE = "eligible", _("Recevable")
    INELIGIBLE = "ineligible", _("Irrecevable")
    LAUREATE = "laureate", _("Lauréat")
    NOT_RETAINED = "not_retained", _("Non retenu")
    WITHDRAWN = "withdrawn", _("Retiré")

    # Named groups (pretalx SubmissionStates.accepted_states).
    @classmethod
    def editable_by_porteur(cls):
        return (cls.DRAFT, cls.CORRECTIONS_REQUESTED)

    @classmethod
    def withdrawable(cls):
        return (cls.DRAFT, cls.SUBMITTED, cls.CORRECTIONS_REQUESTED)

    @classmethod
    def decided(cls):
        return (cls.LAUREATE, cls.NOT_RETAINED)

    @classmethod
    def under_instruction(cls):
        """Filed and not yet judged: staff request corrections from these."""
        return (cls.SUBMITTED, cls.IN_REVIEW)

    @classmethod
    def open_to_reviews(cls):
        """Reviewers are assigned, reminded and score from submission until the decision."""
        return (cls.SUBMITTED, cls.IN_REVIEW, cls.ELIGIBLE)

    @classmethod
    def auto_assignable(cls):
        return (cls.IN_REVIEW, cls.ELIGIBLE)

    @classmethod
    def eligible_or_decided(cls):
        """Declared eligible, then decided: the region gives its opinion on these."""
        return (cls.ELIGIBLE, *cls.decided())

    @classmethod
    def eligibility_declared(cls):
        """The two outcomes of the eligibility check (the end of "submission → eligibility" in the statistics)."""
        return (cls.ELIGIBLE, cls.INELIGIBLE)

    @classmethod
    def instruction_started(cls):
        """Instruction started and not sent back nor withdrawn: in review, judged on eligibility, or decided."""
        return (cls.IN_REVIEW, cls.INELIGIBLE, *cls.eligible_or_decided())

    @classmethod
    def closed(cls):
        """Ended without a grant: not retained, ineligible or withdrawn (anonymised after RETENTION_CLOSED_YEARS)."""
        return (cls.NOT_RETAINED, cls.INELIGIBLE, cls.WITHDRAWN)

    @classmethod
    def reopenable(cls):
        return (*cls.decided(), cls.INELIGIBLE)

    @classmethod
    def in_the_running(cls):
        """Filed and neither withdrawn nor judged ineligible or decided."""
        return (cls.SUBMITTED, cls.CORRECTIONS_REQUESTED, cls.IN_REVIEW, cls.ELIGIBLE)


# DSFR badge colour of each state (system colours where they carry the meaning).
STATE_BADGES = {
    DossierState.DRAFT: "fr-badge--new",
    DossierState.SUBMITTED: "fr-badge--info",
    DossierState.CORRECTIONS_REQUESTED: "fr-badge--warning",
    DossierState.IN_REVIEW: "fr-badge--info",
    DossierState.ELIGIBLE: "fr-badge--success",
    DossierState.INELIGIBLE: "fr-badge--error",
    DossierState.LAUREATE: "fr-badge--success",
    DossierState.NOT_RETAINED: "fr-badge--error",
    DossierState.WITHDRAWN: "",
}


# The label of a laureate, by the kind of its phase: phase-1 laureates are the "PTCE émergents" (DESIGN §1).
LAUREATE_BADGES = {
    PhaseKind.PHASE1: _("PTCE émergent"),
    PhaseKind.PHASE2: _("Lauréat phase 2"),
}


class MemberCategory(models.TextChoices):
    """Categories of art. 9 of loi 2014-856."""

    ESS_ENTERPRISE = "ess_enterprise", _("Entreprise de l'économie sociale et solidaire")
    ENTERPRISE = "enterprise", _("Entreprise hors ESS")
    COLLECTIVITE = "collectivite", _("Collectivité territoriale ou groupement")
    RESEARCH = "research", _("Centre de recherche")
    HIGHER_EDUCATION = "higher_education", _("Établissement d'enseignement supérieur")
    TRAINING = "training", _("Organisme de formation")
    OTHER = "other", _("Autre personne physique ou morale")


# Art. 9 actors other than enterprises (eligibility rule 5).
OTHER_ART9_CATEGORIES = (
    MemberCategory.COLLECTIVITE,
    MemberCategory.RESEARCH,
    MemberCategory.HIGHER_EDUCATION,
    MemberCategory.TRAINING,
)


class EssLegalForm(models.TextChoices):
    """Forms that are in the ESS by law or by statutes (art. 1 of loi 2014-856)."""

    ASSOCIATION = "association", _("Association")
    COOPERATIVE_SCOP = "cooperative_scop", _("Coopérative — SCOP")
    COOPERATIVE_SCIC = "cooperative_scic", _("Coopérative — SCIC")
    COOPERATIVE_OTHER = "cooperative_autre", _("Autre coopérative")
    MUTUELLE = "mutuelle", _("Mutuelle")
    FONDATION = "fondation", _("Fondation")
    COMMERCIAL_ESS = "societe_commerciale_ess", _("Société commerciale de l'ESS")


class MemberRole(models.TextChoices):
    LEAD = "lead", _("Structure porteuse")
    MEMBER = "member", _("Membre")
    PARTNER = "partner", _("Partenaire")


class Stage(models.TextChoices):
    IDEA = "idea", _("Idée")
    EMERGENCE = "emergence", _("Émergence")
    STRUCTURATION = "structuration", _("Structuration")
    CONSOLIDATION = "consolidation", _("Consolidation")


class TerritoryType(models.TextChoices):
    RURAL = "rural", _("Rural")
    PERIURBAN = "periurbain", _("Périurbain")
    URBAN = "urbain", _("Urbain")
    MIXED = "mixte", _("Mixte")


class BouquetNeed(models.TextChoices):
    """The bouquet de services offered to phase-1 laureates (DOMAIN_FACTS (a), item 10)."""

    DLA = "dla", _("Accompagnement par le dispositif local d'accompagnement (DLA)")
    TSF = "tsf", _("Transfert de savoir-faire avec un PTCE compagnon")
    VISITS = "visites", _("Visites apprenantes d'autres pôles")
    FUNDING_WATCH = "veille", _("Veille sur les appels à projets et les financements")
    WG_MOBILISATION = "gt_mobilisation", _("Groupe de travail : mobilisation et animation du territoire")
    WG_ENGINEERING = "gt_ingenierie", _("Groupe de travail : ingénierie de projets territoriaux")
    WG_RESEARCH = "gt_rd", _("Groupe de travail : R&D territoriale")
    WG_ECONOMIC_MODEL = "gt_modele", _("Groupe de travail : modèle économique, financement et gouvernance")
    WG_COLLECTIVITES = "gt_collectivites", _("Groupe de travail : coopérations avec les collectivités")


class AttachmentKind(models.TextChoices):
    STATUTES = "statuts", _("Statuts de la structure porteuse")
    BOARD = "administrateurs", _("Liste des personnes chargées de l'administration")
    REGISTRATION = "immatriculation", _("Extrait Kbis, récépissé de déclaration ou avis de situation Sirene")
    COMMITMENT_LETTER = "lettre_engagement", _("Lettre d'engagement d'un membre")
    CHARTER = "charte", _("Charte ou convention du pôle")
    BUDGET = "budget", _("Budget prévisionnel et plan de financement")
    ACCOUNTS = "comptes", _("Derniers comptes approuvés")
    ACTIVITY_REPORT = "rapport_activite", _("Dernier rapport d'activité")
    RIB = "rib", _("Relevé d'identité bancaire")
    SWORN_STATEMENT = "attestation_honneur", _("Attestation sur l'honneur")
    ESUS = "esus", _("Agrément ESUS")
    OTHER = "autre", _("Autre pièce")


class NoticeKind(models.TextChoices):
    RECEIPT = "receipt", _("Accusé de réception")
    LAUREATE_LETTER = "laureate_letter", _("Lettre de décision — lauréat")
    NOT_RETAINED_LETTER = "not_retained_letter", _("Lettre de décision — non retenu")
    GRANT_NOTIFICATION = "grant_notification", _("Notification de l'aide")


class NoticeStatus(models.TextChoices):
    PENDING = "pending", _("En cours de production")
    READY = "ready", _("Disponible")
    FAILED = "failed", _("Échec")


class RuleStatus(models.TextChoices):
    PASS = "pass", _("Respecté")
    FAIL = "fail", _("Non respecté")
    WARNING = "warning", _("À vérifier")
    NOT_APPLICABLE = "not_applicable", _("Sans objet")


# DSFR system badges: the label says the status in words, the colour only repeats it.
STATUS_BADGES = {
    RuleStatus.PASS: "fr-badge--success",
    RuleStatus.FAIL: "fr-badge--error",
    RuleStatus.WARNING: "fr-badge--warning",
    RuleStatus.NOT_APPLICABLE: "fr-badge--info",
}


class ActionLever(models.TextChoices):
    """The levers of a phase-2 action plan (AMI PTCE 2026): animation first."""

    ANIMATION = "animation", _("Animation territoriale")
    ENGINEERING = "ingenierie", _("Ingénierie de projet")
    RESEARCH = "recherche_innovation", _("Recherche et innovation")


class BudgetSide(models.TextChoices):
    CHARGES = "charges", _("Charges")
    RESOURCES = "resources", _("Ressources")


class BudgetCategory(models.TextChoices):
    """Categories of the phase-2 budget (charges, then resources). AMI_GRANT is the aid requested under this call."""

    STAFF = "personnel", _("Personnel (animation, coordination)")
    OPERATIONS = "fonctionnement", _("Fonctionnement")
    SERVICES = "prestations", _("Prestations et sous-traitance")
    TRAVEL = "deplacements", _("Déplacements et événements")
    INVESTMENT = "investissement", _("Investissement")
    OTHER_CHARGES = "autres_charges", _("Autres charges")
    AMI_GRANT = "aide_ami", _("Aide demandée au titre de l'AMI PTCE")
    COLLECTIVITES = "collectivites", _("Collectivités territoriales")
    OTHER_PUBLIC = "autres_publics", _("Autres financements publics (État, Europe…)")
    PRIVATE = "prives", _("Financements privés (fondations, entreprises)")
    OWN = "autofinancement", _("Autofinancement et recettes propres")

    @classmethod
    def charges(cls):
        return (cls.STAFF, cls.OPERATIONS, cls.SERVICES, cls.TRAVEL, cls.INVESTMENT, cls.OTHER_CHARGES)

    @classmethod
    def resources(cls):
        return (cls.AMI_GRANT, cls.COLLECTIVITES, cls.OTHER_PUBLIC, cls.PRIVATE, cls.OWN)


class FundingStatus(models.TextChoices):
    ACQUIRED = "acquis", _("Acquis")
    REQUESTED = "sollicite", _("Sollicité")


class PaymentCondition(models.TextChoices):
    """What makes a tranche of a grant payable (décret 2015-431 art. 5: staggered payments)."""

    SIGNATURE = "signature", _("À la signature de la convention")
    INTERIM_REPORT = "interim_report", _("Après approbation du rapport intermédiaire")
    FINAL_REPORT = "final_report", _("Après approbation du rapport final")


class ReportKind(models.TextChoices):
    INTERIM = "interim", _("Rapport intermédiaire")
    FINAL = "final", _("Rapport final")


class LaureateCall(models.TextChoices):
    """What a laureate of the history was selected for: a funded call (rule 7) or the phase-1 label."""

    FUNDED = "funded", _("Appel financé (AAP 2013, AAP 2015, AMI phase 2)")
    PHASE1 = "phase1", _("Label « PTCE émergent » (phase 1)")
