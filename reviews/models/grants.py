"""Grants of phase-2 laureates (décret 2015-431 art. 5): staggered payments, progress reports that unlock them,
suspension, the follow-up committee's sessions and the year-3 complementary aid."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.enums import PaymentCondition, ReportKind
from applications.models import Dossier
from reviews.enums import (
    GRANT_STATUS_BADGES,
    PAYMENT_STATUS_BADGES,
    REPORT_STATUS_BADGES,
    GrantEventKind,
    GrantStatus,
    PaymentStatus,
    ReportStatus,
    Year3Decision,
)
from reviews.models.selection import Decision


class GrantQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The grants of the dossiers ``user`` may see (a regional partner: their regions'; 404 otherwise)."""
        return self.filter(dossier__in=Dossier.objects.visible_to(user))


class Grant(models.Model):
    dossier = models.OneToOneField(
        "applications.Dossier", verbose_name=_("dossier"), on_delete=models.PROTECT, related_name="grant"
    )
    decision = models.OneToOneField(
        Decision, verbose_name=_("décision"), on_delete=models.PROTECT, related_name="grant"
    )
    amount = models.DecimalField(_("montant (€)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    agreement_signed_on = models.DateField(_("convention signée le"), null=True, blank=True)
    status = models.CharField(_("état"), max_length=10, choices=GrantStatus.choices, default=GrantStatus.ACTIVE)
    suspended_at = models.DateTimeField(_("suspendue le"), null=True, blank=True)
    suspension_motivation = models.TextField(_("motif de la suspension"), blank=True)
    year3_decision = models.CharField(
        _("aide complémentaire de 3e année"), max_length=10, choices=Year3Decision.choices, blank=True
    )
    year3_amount = models.DecimalField(
        _("montant de 3e année (€)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    year3_motivation = models.TextField(_("motivation de la 3e année"), blank=True)
    year3_decided_at = models.DateTimeField(_("3e année décidée le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)

    objects = GrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("aide")
        verbose_name_plural = _("aides")
        ordering = ["-created_at", "-pk"]
        # The staff list pages through the newest grants first: read from this index, not sorted in full.
        indexes = [models.Index(fields=["-created_at", "-id"], name="grant_newest_first")]

    def __str__(self):
        return f"{self.dossier_id} {self.amount} €"

    @property
    def status_badge(self):
        return GRANT_STATUS_BADGES[GrantStatus(self.status)]

    @property
    def is_suspended(self):
        return self.status == GrantStatus.SUSPENDED


class ProgressReport(models.Model):
    """An interim or final report of a grant: narrative, indicators, spending against the budget."""

    grant = models.ForeignKey(Grant, verbose_name=_("aide"), on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(_("rapport"), max_length=10, choices=ReportKind.choices)
    due_on = models.DateField(_("à déposer avant le"), null=True, blank=True)
    narrative = models.TextField(_("bilan des actions"), max_length=12000, blank=True)
    indicators = models.JSONField(_("indicateurs"), default=dict, blank=True)
    spending = models.JSONField(_("dépenses réalisées"), default=list, blank=True)
    status = models.CharField(_("état"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    submitted_at = models.DateTimeField(_("déposé le"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("examiné le"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )
    review_notes = models.TextField(_("avis de l'équipe"), blank=True)

    class Meta:
        verbose_name = _("rapport d'exécution")
        verbose_name_plural = _("rapports d'exécution")
        ordering = ["grant", "due_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["grant", "kind"], name="progress_report_once_per_kind")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.grant_id}"

    @property
    def status_badge(self):
        return REPORT_STATUS_BADGES[ReportStatus(self.status)]

    @property
    def editable_by_porteur(self):
        return self.status in ReportStatus.editable_by_porteur()


class Payment(models.Model):
    """A tranche of a grant, from the phase's schedule: payable once its condition is met (a report approved)."""

    grant = models.ForeignKey(Grant, verbose_name=_("aide"), on_delete=models.CASCADE, related_name="payments")
    position = models.PositiveSmallIntegerField(_("ordre"), default=1)
    label = models.CharField(_("intitulé"), max_length=120)
    percent = models.PositiveSmallIntegerField(
        _("part (%)"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    amount = models.DecimalField(_("montant (€)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    condition = models.CharField(_("versée"), max_length=20, choices=PaymentCondition.choices)
    status = models.CharField(_("état"), max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.SCHEDULED)
    paid_on = models.DateField(_("versée le"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("versement")
        verbose_name_plural = _("versements")
        ordering = ["grant", "position", "pk"]

    def __str__(self):
        return f"{self.label} {self.amount} €"

    @property
    def status_badge(self):
        return PAYMENT_STATUS_BADGES[PaymentStatus(self.status)]


class FollowUpSession(models.Model):
    """A meeting of the grant's follow-up committee (at least twice a year, décret 2015-431 art. 5)."""

    grant = models.ForeignKey(Grant, verbose_name=_("aide"), on_delete=models.CASCADE, related_name="followups")
    held_on = models.DateField(_("date"))
    attendees = models.TextField(_("participants"), blank=True)
    notes = models.TextField(_("relevé"), max_length=12000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.RESTRICT, related_name="+")
    created_at = models.DateTimeField(_("enregistré le"), default=timezone.now)

    class Meta:
        verbose_name = _("comité de suivi")
        verbose_name_plural = _("comités de suivi")
        ordering = ["grant", "-held_on", "-pk"]

    def __str__(self):
        return f"{self.grant_id} {self.held_on:%d/%m/%Y}"


class GrantEvent(models.Model):
    """One line of a grant's history: who did what and when, with the motivation (suspension, resumption…)."""

    grant = models.ForeignKey(Grant, verbose_name=_("aide"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("événement"), max_length=20, choices=GrantEventKind.choices)
    at = models.DateTimeField(_("le"), default=timezone.now)
    # For traceability and accountability: an account that acted on a grant cannot be deleted.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("par"), on_delete=models.RESTRICT, null=True, related_name="+"
    )
    detail = models.TextField(_("précisions"), blank=True)

    class Meta:
        verbose_name = _("événement d'une aide")
        verbose_name_plural = _("historique des aides")
        ordering = ["grant", "at", "pk"]

    def __str__(self):
        return f"{self.grant_id} {self.kind} {self.at:%Y-%m-%d}"
