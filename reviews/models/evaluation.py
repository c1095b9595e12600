"""Evaluation: grids and criteria, reviewers' declarations of interests, assignments, reviews and scores,
regional opinions (DESIGN §4, §7); and the staff's saved filters and exports of the instruction list.
"""

import datetime
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.enums import PhaseKind
from ptce_ami.core.validators import validate_plausible_date

# The 0–4 scale of every criterion (DESIGN §7); a grid may relabel the levels.
DEFAULT_LEVELS = [_("Absent"), _("Faible"), _("Moyen"), _("Bon"), _("Excellent")]
MAX_LEVEL = 4


def default_levels():
    return [str(label) for label in DEFAULT_LEVELS]


class Aggregation(models.TextChoices):
    MEAN = "mean", _("Moyenne des évaluations")
    MEDIAN = "median", _("Médiane des évaluations")


# Points on 100 between the highest and lowest counted reviews beyond which a dossier is flagged discordant, when
# its phase has no grid (the grids' own field defaults to it).
DEFAULT_DISCORDANCE_THRESHOLD = 25


class GridQuerySet(models.QuerySet):
    def for_phase(self, phase):
        """The phase's own grid, or else the default proposal for its kind."""
        grids = self.filter(models.Q(phase=phase) | models.Q(phase__isnull=True, phase_kind=phase.kind))
        return grids.order_by(models.F("phase").asc(nulls_last=True)).prefetch_related("criteria").first()


class Grid(models.Model):
    name = models.CharField(_("nom"), max_length=150)
    phase_kind = models.CharField(_("type de phase"), max_length=10, choices=PhaseKind.choices)
    # A grid without phase is the default of its kind; a phase may have its own (copied and edited by staff).
    phase = models.OneToOneField(
        "applications.Phase",
        verbose_name=_("phase"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grid",
    )
    is_proposal = models.BooleanField(
        _("proposition"),
        default=False,
        help_text=_("Aucune pondération officielle n'est publiée : cette grille est une proposition à valider."),
    )
    aggregation = models.CharField(
        _("note du dossier"), max_length=8, choices=Aggregation.choices, default=Aggregation.MEAN
    )
    discordance_threshold = models.PositiveSmallIntegerField(
        _("écart signalé (points sur 100)"),
        default=DEFAULT_DISCORDANCE_THRESHOLD,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "Les évaluations d'un dossier dont les notes s'écartent de plus de ce nombre de points sont signalées."
        ),
    )
    levels = models.JSONField(_("libellés des niveaux 0 à 4"), default=default_levels)

    objects = GridQuerySet.as_manager()

    class Meta:
        verbose_name = _("grille d'évaluation")
        verbose_name_plural = _("grilles d'évaluation")
        ordering = ["phase_kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["phase_kind"], condition=models.Q(phase__isnull=True), name="one_default_grid_per_kind"
            )
        ]

    def __str__(self):
        return self.name

    @property
    def total_weight(self):
        return sum(criterion.weight for criterion in self.criteria.all())


class Criterion(models.Model):
    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    label = models.CharField(_("critère"), max_length=200)
    guidance = models.TextField(_("ce que l'évaluateur regarde"), blank=True)
    weight = models.PositiveSmallIntegerField(_("poids"), validators=[MinValueValidator(1), MaxValueValidator(100)])

    class Meta:
        verbose_name = _("critère")
        verbose_name_plural = _("critères")
        ordering = ["grid", "position", "pk"]

    def __str__(self):
        return self.label


class ReviewerDeclaration(models.Model):
    """A reviewer's declaration of interests, once per edition: their organisations and regions of activity."""

    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="declarations")
    edition = models.ForeignKey("applications.Edition", on_delete=models.CASCADE, related_name="+")
    regions = models.ManyToManyField(
        "territories.Region", verbose_name=_("régions où vous exercez une activité"), blank=True, related_name="+"
    )
    other_interests = models.TextField(_("autres liens d'intérêts"), blank=True)
    declared_at = models.DateTimeField(_("déclaré le"), default=timezone.now)

    class Meta:
        verbose_name = _("déclaration d'intérêts")
        verbose_name_plural = _("déclarations d'intérêts")
        constraints = [models.UniqueConstraint(fields=["reviewer", "edition"], name="one_declaration_per_edition")]

    def __str__(self):
        return f"{self.reviewer} — {self.edition}"


class DeclaredOrganisation(models.Model):
    """An organisation a reviewer works for or with; its SIREN detects conflicts with member structures."""

    declaration = models.ForeignKey(ReviewerDeclaration, on_delete=models.CASCADE, related_name="organisations")
    name = models.CharField(_("nom de l'organisation"), max_length=200)
    siret = models.CharField(_("SIRET"), max_length=14)
    siren = models.CharField(_("SIREN"), max_length=9, db_index=True, editable=False)

    class Meta:
        verbose_name = _("organisation déclarée")
        verbose_name_plural = _("organisations déclarées")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.name} ({self.siret})"

    def save(self, *args, **kwargs):
        self.siren = self.siret[:9]
        super().save(*args, **kwargs)


class AssignmentStatus(models.TextChoices):
    TO_CONFIRM = "to_confirm", _("Absence de conflit à confirmer")
    IN_PROGRESS = "in_progress", _("Évaluation en cours")
    SUBMITTED = "submitted", _("Évaluation rendue")
    CONFLICT = "conflict", _("Conflit d'intérêts déclaré")

    @classmethod
    def pending(cls):
        """Waiting for the reviewer: to confirm (no conflict) or to score."""
        return (cls.TO_CONFIRM, cls.IN_PROGRESS)

    @classmethod
    def reaching_the_dossier(cls):
        """The reviewer reaches the dossier once they confirmed having no conflict, and keeps it after submitting."""
        return (cls.IN_PROGRESS, cls.SUBMITTED)


def late_before(now=None):
    """The moment a pending assignment due earlier is late: the start of today in Paris (TIME_ZONE).

    A due date is a day (staff type a date; the assignment is due at its end): due yesterday → late, due today →
    not late, whatever the hour; the day changes at midnight in Paris, not in UTC.
    """
    paris = timezone.get_default_timezone()
    today = timezone.localdate(now, paris)
    return datetime.datetime.combine(today, datetime.time.min, tzinfo=paris)


def late_q(prefix="", now=None):
    """The filter of late assignments; ``prefix`` reaches them through a relation ("assignments__")."""
    return models.Q(**{f"{prefix}status__in": AssignmentStatus.pending(), f"{prefix}due_at__lt": late_before(now)})


ASSIGNMENT_BADGES = {
    AssignmentStatus.TO_CONFIRM: "fr-badge--new",
    AssignmentStatus.IN_PROGRESS: "fr-badge--info",
    AssignmentStatus.SUBMITTED: "fr-badge--success",
    AssignmentStatus.CONFLICT: "fr-badge--error",
}


class AssignmentQuerySet(models.QuerySet):
    def active(self):
        """Assignments that count: not removed by a conflict of interest."""
        return self.exclude(status=AssignmentStatus.CONFLICT)

    def pending(self):
        return self.filter(status__in=AssignmentStatus.pending())

    def late(self, now=None):
        """Pending assignments whose due day is over (see ``late_before``)."""
        return self.filter(late_q(now=now))


class Assignment(models.Model):
    dossier = models.ForeignKey("applications.Dossier", on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("évaluateur"), on_delete=models.PROTECT, related_name="assignments"
    )
    status = models.CharField(
        _("statut"), max_length=12, choices=AssignmentStatus.choices, default=AssignmentStatus.TO_CONFIRM
    )
    due_at = models.DateTimeField(_("à rendre avant le"), null=True, blank=True, validators=[validate_plausible_date])
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("affecté par"), on_delete=models.RESTRICT, related_name="+"
    )
    assigned_at = models.DateTimeField(_("affecté le"), default=timezone.now)
    # Automatic assignments are proposed, then applied together: the batch says which run made them.
    batch = models.UUIDField(_("affectation automatique"), null=True, blank=True, editable=False)
    no_conflict_confirmed_at = models.DateTimeField(_("absence de conflit confirmée le"), null=True, blank=True)
    conflict_declared_at = models.DateTimeField(_("conflit déclaré le"), null=True, blank=True)
    conflict_reason = models.TextField(_("nature du conflit"), blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("affectation")
        verbose_name_plural = _("affectations")
        ordering = ["due_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["dossier", "reviewer"], name="assignment_once")]
        # The reviewer's queue (reviews.services.evaluation): each tab's count (one index-only scan of the
        # reviewer's entries) and its page in order (due date, then dossier), one tab by status, and the pending
        # ones (to confirm or in progress, and among them the late ones) by the partial index.
        indexes = [
            models.Index(fields=["reviewer", "status", "due_at", "dossier"], name="assignment_queue"),
            models.Index(
                fields=["reviewer", "due_at", "dossier"],
                condition=models.Q(status__in=list(AssignmentStatus.pending())),
                name="assignment_queue_pending",
            ),
        ]

    def __str__(self):
        return f"{self.dossier_id} → {self.reviewer_id}"

    @property
    def status_badge(self):
        return ASSIGNMENT_BADGES[AssignmentStatus(self.status)]

    @property
    def is_late(self):
        """Still pending after its due day (the same rule as ``Assignment.objects.late()``)."""
        return self.status in AssignmentStatus.pending() and self.due_at is not None and self.due_at < late_before()


class Recommendation(models.TextChoices):
    FAVOURABLE = "favourable", _("Favorable")
    RESERVED = "reserved", _("Favorable avec réserves")
    UNFAVOURABLE = "unfavourable", _("Défavorable")


RECOMMENDATION_BADGES = {
    Recommendation.FAVOURABLE: "fr-badge--success",
    Recommendation.RESERVED: "fr-badge--warning",
    Recommendation.UNFAVOURABLE: "fr-badge--error",
}


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Rendue")


class ReviewQuerySet(models.QuerySet):
    def submitted(self):
        return self.filter(status=ReviewStatus.SUBMITTED)

    def counted(self):
        """Submitted reviews of assignments still standing (a declared conflict removes a review)."""
        return self.submitted().exclude(assignment__status=AssignmentStatus.CONFLICT)


class Review(models.Model):
    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="review")
    dossier = models.ForeignKey("applications.Dossier", on_delete=models.CASCADE, related_name="reviews")
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("statut"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT)
    recommendation = models.CharField(_("recommandation"), max_length=12, choices=Recommendation.choices, blank=True)
    comment = models.TextField(_("appréciation générale"), max_length=6000, blank=True)
    # The weighted score on 100, computed when the review is submitted.
    total = models.DecimalField(_("note sur 100"), max_digits=5, decimal_places=2, null=True, blank=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    submitted_at = models.DateTimeField(_("rendue le"), null=True, blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("évaluation")
        verbose_name_plural = _("évaluations")
        ordering = ["submitted_at", "pk"]

    def __str__(self):
        return f"{self.dossier_id} / {self.assignment_id}"


class Score(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField(
        _("note"), null=True, blank=True, validators=[MaxValueValidator(MAX_LEVEL)]
    )
    comment = models.TextField(_("commentaire"), max_length=3000, blank=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["criterion__position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="score_once_per_criterion"),
            models.CheckConstraint(condition=models.Q(value__lte=MAX_LEVEL), name="score_within_scale"),
        ]

    def __str__(self):
        return f"{self.criterion_id}: {self.value}"


class DossierScore(models.Model):
    """A dossier's score from its counted reviews, kept up to date by reviews.services.scoring (lists, export)."""

    dossier = models.OneToOneField("applications.Dossier", on_delete=models.CASCADE, related_name="score")
    value = models.DecimalField(_("note sur 100"), max_digits=5, decimal_places=2, null=True, blank=True)
    spread = models.DecimalField(_("écart entre évaluations"), max_digits=5, decimal_places=2, null=True, blank=True)
    review_count = models.PositiveSmallIntegerField(_("évaluations rendues"), default=0)
    discordant = models.BooleanField(_("évaluations discordantes"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("note du dossier")
        verbose_name_plural = _("notes des dossiers")
        # The lists sorted by score walk it (reviews.services.selection.ScoreOrderedIds).
        indexes = [models.Index(fields=["value", "dossier"], name="dossier_score_value")]

    def __str__(self):
        return f"{self.dossier_id}: {self.value}"


class Opinion(models.TextChoices):
    FAVOURABLE = "favourable", _("Favorable")
    RESERVED = "reserved", _("Réservé")
    UNFAVOURABLE = "unfavourable", _("Défavorable")


OPINION_BADGES = {
    Opinion.FAVOURABLE: "fr-badge--success",
    Opinion.RESERVED: "fr-badge--warning",
    Opinion.UNFAVOURABLE: "fr-badge--error",
}


class RegionalOpinion(models.Model):
    """The regional partners' opinion on an eligible dossier of their region, and its rank in the region."""

    dossier = models.OneToOneField("applications.Dossier", on_delete=models.CASCADE, related_name="regional_opinion")
    region = models.ForeignKey("territories.Region", on_delete=models.PROTECT, related_name="+")
    opinion = models.CharField(_("avis"), max_length=12, choices=Opinion.choices)
    text = models.TextField(_("motivation de l'avis"), max_length=6000)
    rank = models.PositiveSmallIntegerField(_("rang dans la région"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("auteur"), on_delete=models.RESTRICT, related_name="+"
    )
    updated_at = models.DateTimeField(_("modifié le"), default=timezone.now)

    class Meta:
        verbose_name = _("avis régional")
        verbose_name_plural = _("avis régionaux")
        ordering = ["region", "rank"]

    def __str__(self):
        return f"{self.dossier_id}: {self.opinion}"

    @property
    def badge_class(self):
        return OPINION_BADGES[Opinion(self.opinion)]


class SavedFilter(models.Model):
    """A staff member's named selection of the instruction list (its query string)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters")
    name = models.CharField(_("nom"), max_length=80)
    query = models.CharField(_("filtres"), max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("filtre enregistré")
        verbose_name_plural = _("filtres enregistrés")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="saved_filter_unique_name")]

    def __str__(self):
        return self.name


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", _("XLSX (tableur)")


class ExportKind(models.TextChoices):
    """What an export holds: the instruction list's dossiers, or the finance team's decisions, grants and payments."""

    DOSSIERS = "dossiers", _("Dossiers de la sélection")
    DECISIONS = "decisions", _("Décisions du comité")
    GRANTS = "grants", _("Aides et versements")


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    RUNNING = "running", _("En cours")
    READY = "ready", _("Prêt")
    FAILED = "failed", _("Échec")


def export_path(instance, filename):
    return f"exports/{uuid.uuid4().hex}/{filename}"


class Export(models.Model):
    """An export of the instruction list's selection, built by a worker, downloadable by who asked for it."""

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("contenu"), max_length=10, choices=ExportKind.choices, default=ExportKind.DOSSIERS)
    query = models.CharField(_("filtres"), max_length=2000, blank=True)
    format = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices)
    status = models.CharField(_("état"), max_length=8, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    total = models.PositiveIntegerField(_("dossiers"), default=0)
    done = models.PositiveIntegerField(_("dossiers écrits"), default=0)
    file = models.FileField(_("fichier"), upload_to=export_path, max_length=255, blank=True)
    error = models.TextField(_("erreur"), blank=True)
    created_at = models.DateTimeField(_("demandé le"), default=timezone.now)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_format_display()} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def progress(self):
        return (
            100 if self.total == 0 and self.status == ExportStatus.READY else int(100 * self.done / (self.total or 1))
        )


__all__ = [
    "DEFAULT_LEVELS",
    "MAX_LEVEL",
    "default_levels",
    "Aggregation",
    "DEFAULT_DISCORDANCE_THRESHOLD",
    "GridQuerySet",
    "Grid",
    "Criterion",
    "ReviewerDeclaration",
    "DeclaredOrganisation",
    "AssignmentStatus",
    "late_before",
    "late_q",
    "ASSIGNMENT_BADGES",
    "AssignmentQuerySet",
    "Assignment",
    "Recommendation",
    "RECOMMENDATION_BADGES",
    "ReviewStatus",
    "ReviewQuerySet",
    "Review",
    "Score",
    "DossierScore",
    "Opinion",
    "OPINION_BADGES",
    "RegionalOpinion",
    "SavedFilter",
    "ExportFormat",
    "ExportKind",
    "ExportStatus",
    "export_path",
    "Export",
]
