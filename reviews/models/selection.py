"""The selection (DESIGN §4-5): committee sessions and their decisions, provisional until published."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reviews.enums import DecisionOutcome, SessionStatus


def minutes_path(instance, filename):
    return f"committee/{instance.phase_id}/{instance.pk}/{filename}"


class CommitteeSession(models.Model):
    """A meeting of the committee of a phase: who sat, the list it adopted, its minutes, its publication."""

    phase = models.ForeignKey(
        "applications.Phase", verbose_name=_("phase"), on_delete=models.PROTECT, related_name="committee_sessions"
    )
    held_on = models.DateField(_("date du comité"))
    members_present = models.TextField(_("membres présents"), blank=True)
    notes = models.TextField(_("relevé des échanges"), blank=True)
    status = models.CharField(_("état"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.OPEN)
    adopted_at = models.DateTimeField(_("liste adoptée le"), null=True, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )
    minutes = models.FileField(_("procès-verbal (PDF)"), upload_to=minutes_path, max_length=255, blank=True)
    published_at = models.DateTimeField(_("décisions publiées le"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    class Meta:
        verbose_name = _("comité de sélection")
        verbose_name_plural = _("comités de sélection")
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return f"{self.phase} — {self.held_on:%d/%m/%Y}"


class DecisionQuerySet(models.QuerySet):
    def current(self):
        """Decisions not revoked by a reopening."""
        return self.filter(revoked_at__isnull=True)

    def published(self):
        return self.current().filter(published_at__isnull=False)

    def provisional(self):
        return self.current().filter(published_at__isnull=True)


class Decision(models.Model):
    """The committee's decision on an eligible dossier: laureate (with an amount in phase 2) or not retained, with a
    motivation. Provisional, and invisible to the porteurs, until published; the dossier's state changes then."""

    dossier = models.ForeignKey(
        "applications.Dossier", verbose_name=_("dossier"), on_delete=models.PROTECT, related_name="decisions"
    )
    session = models.ForeignKey(
        CommitteeSession,
        verbose_name=_("comité"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
    )
    outcome = models.CharField(_("décision"), max_length=15, choices=DecisionOutcome.choices)
    amount = models.DecimalField(
        _("montant accordé (€)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    motivation = models.TextField(_("motivation"), max_length=6000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposée par"), on_delete=models.RESTRICT, related_name="+"
    )
    decided_at = models.DateTimeField(_("proposée le"), default=timezone.now)
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("publiée par"),
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )
    revoke_motivation = models.TextField(_("motif de la réouverture"), blank=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("décision")
        verbose_name_plural = _("décisions")
        ordering = ["-decided_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"], condition=Q(revoked_at__isnull=True), name="decision_one_current_per_dossier"
            )
        ]

    def __str__(self):
        return f"{self.dossier_id} {self.get_outcome_display()}"

    @property
    def provisional(self):
        return self.published_at is None
