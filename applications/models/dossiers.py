from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.enums import LAUREATE_BADGES, STATE_BADGES, DossierState, PhaseKind, Stage, TerritoryType
from applications.models.editions import Phase, Sector
from ptce_ami.accounts.enums import Role
from ptce_ami.core.validators import validate_past_date

NARRATIVE_MAX_LENGTH = 6000
# A condition no row meets (Django compiles it without querying).
NOTHING = Q(pk__in=[])
# Submitted at least once: what staff, partners and reviewers may see (a draft is private to its authors).
FILED = Q(submitted_at__isnull=False)
_ROLE_SCOPES = {}


def register_role_scope(role, scope):
    """``scope(user) -> Q`` adds the dossiers a role reaches beyond its own. Higher floors extend visibility this way
    without being imported: reviews registers how a reviewer reaches the dossiers assigned to them (its hooks)."""
    _ROLE_SCOPES[role] = scope


class DossierQuerySet(models.QuerySet):
    """``visible_to`` is the first line of defence (DESIGN §2, HOUSE_STYLE §4): what a user may open at all."""

    def visible_to(self, user):
        """Dossiers the user may open; anything else answers 404."""
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        return self.filter(self.visibility_condition(user))

    def editable_by(self, user):
        """Dossiers the user owns or co-edits (whatever their state)."""
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        return self.filter(self.editor_condition(user))

    @staticmethod
    def editor_condition(user):
        """Dossiers the user owns or was invited to co-edit (with a confirmed address). Porteur accounts only, as
        applications.rules.is_dossier_editor: staff, reviewers and partners never reach a dossier as its authors."""
        if user.role != Role.PORTEUR:
            return NOTHING
        if not user.email_confirmed:
            return Q(owner=user)
        # One set of ids, each half read from its index (the owner's, the invited address's): an OR of the owner
        # and an EXISTS would make the database scan every dossier to find a porteur's two (issue 15).
        owned = Dossier.objects.filter(owner=user).order_by().values("pk")
        invited = DossierInvitation.objects.filter(email=user.email).order_by().values("dossier")
        return Q(pk__in=owned.union(invited))

    @classmethod
    def visibility_condition(cls, user):
        # A draft is private to its authors until it is submitted; a dossier withdrawn after submission stays
        # visible to staff, for the record.
        filed = FILED
        if user.role == Role.PORTEUR:
            return cls.editor_condition(user)
        if user.role in (Role.INSTRUCTEUR, Role.ADMINISTRATEUR):
            return filed
        if user.role == Role.PARTENAIRE:
            return filed & Q(region__in=user.regions.values("pk"))
        scope = _ROLE_SCOPES.get(user.role)
        return filed & scope(user) if scope is not None else NOTHING

    def drafts(self):
        return self.filter(state=DossierState.DRAFT)

    def submitted(self):
        return self.filter(submitted_at__isnull=False)

    def ptce_emergents(self):
        """Phase-1 laureates (see Dossier.is_ptce_emergent)."""
        return self.filter(state=DossierState.LAUREATE, phase__kind=PhaseKind.PHASE1)


class Dossier(models.Model):
    reference = models.CharField(_("référence"), max_length=24, unique=True, editable=False)
    phase = models.ForeignKey(Phase, verbose_name=_("phase"), on_delete=models.PROTECT, related_name="dossiers")
    state = models.CharField(
        _("état"), max_length=24, choices=DossierState.choices, default=DossierState.DRAFT, editable=False
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("titulaire"), on_delete=models.PROTECT, related_name="dossiers"
    )
    continues = models.ForeignKey(
        "self",
        verbose_name=_("dossier de phase 1 poursuivi"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="continuations",
    )
    prior_laureate = models.ForeignKey(
        "applications.LaureateRecord",
        verbose_name=_("lauréat de phase 1 d'une édition antérieure"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
        help_text=_("Un lauréat sélectionné avant la plateforme, réclamé par son porteur pour la phase 2."),
    )

    # The pôle.
    name = models.CharField(_("nom du pôle"), max_length=200, blank=True)
    summary = models.TextField(_("présentation synthétique"), max_length=1500, blank=True)
    started_on = models.DateField(
        _("date de début de la coopération"), null=True, blank=True, validators=[validate_past_date]
    )
    website = models.URLField(_("site internet"), blank=True)
    stage = models.CharField(_("stade de développement"), max_length=20, choices=Stage.choices, blank=True)
    sectors = models.ManyToManyField(Sector, verbose_name=_("secteurs et filières"), blank=True)

    # The lead structure's people.
    representative_name = models.CharField(_("représentant légal"), max_length=150, blank=True)
    representative_title = models.CharField(_("qualité du représentant légal"), max_length=150, blank=True)
    contact_name = models.CharField(_("personne à contacter"), max_length=150, blank=True)
    contact_email = models.EmailField(_("adresse électronique du contact"), blank=True)
    contact_phone = models.CharField(_("téléphone du contact"), max_length=30, blank=True)
    animation_fte = models.DecimalField(
        _("ETP consacrés à l'animation du pôle"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    # The territory; the main region is derived from it.
    communes = models.ManyToManyField("territories.Commune", verbose_name=_("communes"), blank=True)
    epcis = models.ManyToManyField("territories.EPCI", verbose_name=_("EPCI"), blank=True)
    departements = models.ManyToManyField("territories.Departement", verbose_name=_("départements"), blank=True)
    region = models.ForeignKey(
        "territories.Region",
        verbose_name=_("région"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
    )
    territory_type = models.CharField(
        _("type de territoire"), max_length=12, choices=TerritoryType.choices, blank=True
    )
    includes_qpv = models.BooleanField(_("le territoire comprend un quartier prioritaire de la ville"), default=False)
    territory_description = models.TextField(
        _("le territoire et ses besoins"), max_length=NARRATIVE_MAX_LENGTH, blank=True
    )

    # Narrative sections of the phase-1 outline.
    shared_strategy = models.TextField(_("stratégie commune"), max_length=NARRATIVE_MAX_LENGTH, blank=True)
    governance = models.TextField(_("gouvernance"), max_length=NARRATIVE_MAX_LENGTH, blank=True)
    collectivites_link = models.TextField(
        _("lien avec les collectivités"), max_length=NARRATIVE_MAX_LENGTH, blank=True
    )
    innovation = models.TextField(_("innovation et R&D"), max_length=NARRATIVE_MAX_LENGTH, blank=True)
    economic_model = models.TextField(_("modèle économique"), max_length=NARRATIVE_MAX_LENGTH, blank=True)
    expected_impact = models.TextField(_("impact attendu"), max_length=NARRATIVE_MAX_LENGTH, blank=True)
    jobs_expected = models.PositiveIntegerField(
        _("emplois créés ou consolidés attendus"), null=True, blank=True, validators=[MaxValueValidator(100_000)]
    )

    # Needs from the bouquet de services.
    bouquet_needs = models.JSONField(_("besoins dans le bouquet de services"), default=list, blank=True)
    needs_comment = models.TextField(_("précisions sur les besoins"), max_length=2000, blank=True)

    # Phase 2: the two-year action plan, staffing, what happens after the grant, indicators (the budget is in
    # BudgetLine).
    action_levers = models.JSONField(_("leviers du plan d'action"), default=list, blank=True)
    action_plan = models.TextField(_("plan d'action sur deux ans"), max_length=NARRATIVE_MAX_LENGTH, blank=True)
    staffing = models.TextField(_("moyens humains"), max_length=NARRATIVE_MAX_LENGTH, blank=True)
    staffing_fte = models.DecimalField(
        _("ETP financés par l'aide"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    post_grant_plan = models.TextField(
        _("modèle économique après l'aide"), max_length=NARRATIVE_MAX_LENGTH, blank=True
    )
    indicators = models.TextField(_("indicateurs et évaluation"), max_length=NARRATIVE_MAX_LENGTH, blank=True)

    # Declarations.
    charter_adherence = models.BooleanField(_("adhésion à la charte des PTCE"), default=False)
    certify_accurate = models.BooleanField(_("certification sur l'honneur"), default=False)
    consent_publication = models.BooleanField(_("accord pour la publication en cas de sélection"), default=False)

    created_at = models.DateTimeField(_("créé le"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dernière modification par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("déposé le"), null=True, blank=True, editable=False)
    # Past its retention period (applications.services.retention): personal data and files erased, the statistics
    # kept (region, phase, state, amounts).
    anonymised_at = models.DateTimeField(_("anonymisé le"), null=True, blank=True, editable=False)

    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-created_at"]
        # The staff lists read filed dossiers only (visibility_condition): each of their sorts on the dossier's own
        # columns, alone or after the region or state filter, walks one of these in order and stops after a page
        # (reviews.services.selection.ordering), whatever the number of dossiers (issue 15).
        indexes = [
            models.Index(
                fields=["submitted_at", "reference"], condition=FILED, include=["id"], name="dossier_filed_submitted"
            ),
            models.Index(
                fields=["updated_at", "reference"], condition=FILED, include=["id"], name="dossier_filed_updated"
            ),
            models.Index(fields=["name", "reference"], condition=FILED, include=["id"], name="dossier_filed_name"),
            models.Index(
                fields=["state", "submitted_at", "reference"],
                condition=FILED,
                include=["id"],
                name="dossier_filed_state",
            ),
            models.Index(
                fields=["region", "submitted_at", "reference"],
                condition=FILED,
                include=["id"],
                name="dossier_filed_region",
            ),
            # A phase's candidates by state (the committee view's counts and regional balance): read from the index
            # alone, not from the wide rows of the edition's every dossier.
            models.Index(fields=["phase", "state"], include=["id", "region"], name="dossier_phase_state"),
            # A region's dossiers by state (the partners' regional opinions, the region filter with a state).
            models.Index(
                fields=["region", "state"],
                condition=FILED,
                include=["id", "phase", "reference"],
                name="dossier_filed_region_state",
            ),
        ]

    def __str__(self):
        return f"{self.reference} — {self.name}" if self.name else self.reference

    def get_absolute_url(self):
        return reverse("applications:dossier", kwargs={"reference": self.reference})

    def loaded_parts(self):
        """(members, current attachments), loaded with what the completeness check, the pages and the snapshot read."""
        members = list(self.members.select_related("commune__departement"))
        attachments = list(self.attachments.current().select_related("member"))
        return members, attachments

    @property
    def state_badge(self):
        return STATE_BADGES[DossierState(self.state)]

    @property
    def laureate_badge(self):
        """ "PTCE émergent" for a phase-1 laureate, "Lauréat phase 2" for a phase-2 one, else "". The state becomes
        LAUREATE only when the committee's decision is published (and leaves it when it is reopened), so a
        provisional decision never shows. Reads ``phase``: select it with the dossier in lists."""
        return LAUREATE_BADGES[self.phase.kind] if self.state == DossierState.LAUREATE else ""

    @property
    def is_ptce_emergent(self):
        """A phase-1 laureate: the label and access to the bouquet de services (DESIGN §1)."""
        return self.state == DossierState.LAUREATE and self.phase.kind == PhaseKind.PHASE1

    @property
    def may_continue_in_phase2(self):
        """A phase-1 laureate (any edition), or a phase-1 dossier filed and in the running: its phase 2 may then be
        filed in the same edition (the 2022/2023 rule, eligibility rule R08)."""
        return self.phase.kind == PhaseKind.PHASE1 and (
            self.state == DossierState.LAUREATE or self.state in DossierState.in_the_running()
        )

    @property
    def display_name(self):
        return self.name or _("Pôle sans nom")

    def is_closed_draft(self, moment=None):
        """A draft whose phase has closed: it is not a candidacy and can no longer become one."""
        return self.state == DossierState.DRAFT and self.phase.has_closed(moment)

    def is_editable_by_porteur(self, moment=None):
        """Drafts until their phase closes; a dossier sent back for corrections until it is submitted again."""
        return self.state in DossierState.editable_by_porteur() and not self.is_closed_draft(moment)


class DossierInvitation(models.Model):
    """A co-editor, invited by e-mail: they see and edit the dossier once their address is confirmed."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("adresse électronique"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("invité par"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("invité le"), default=timezone.now)

    class Meta:
        verbose_name = _("invitation à co-éditer")
        verbose_name_plural = _("invitations à co-éditer")
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["dossier", "email"], name="invitation_unique_email")]
        indexes = [
            models.Index(fields=["email"], name="invitation_email")
        ]  # a porteur's invitations (editor_condition)

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)


class DossierTransition(models.Model):
    """Audit row of every state change (DESIGN §5)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(_("action"), max_length=40)
    from_state = models.CharField(_("état de départ"), max_length=24, choices=DossierState.choices)
    to_state = models.CharField(_("état d'arrivée"), max_length=24, choices=DossierState.choices)
    # For traceability and accountability: an account with transitions cannot be deleted.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("le"), default=timezone.now)
    comment = models.TextField(_("motivation"), blank=True)

    class Meta:
        verbose_name = _("changement d'état")
        verbose_name_plural = _("changements d'état")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.dossier_id}: {self.from_state} → {self.to_state}"


class DossierVersion(models.Model):
    """What was submitted, frozen: version 1 at the first submission, one more at each resubmission."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    submitted_at = models.DateTimeField(_("déposé le"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("déposé par"), on_delete=models.RESTRICT, related_name="+"
    )
    data = models.JSONField(_("contenu déposé"))

    class Meta:
        verbose_name = _("version déposée")
        verbose_name_plural = _("versions déposées")
        ordering = ["dossier", "number"]
        constraints = [models.UniqueConstraint(fields=["dossier", "number"], name="dossier_version_unique")]

    def __str__(self):
        return f"{self.dossier_id} v{self.number}"
