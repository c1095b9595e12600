from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from applications.enums import STATUS_BADGES, RuleStatus
from applications.models.dossiers import Dossier, DossierVersion
from ptce_ami.core.validators import validate_plausible_date


class CorrectionRequestQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(resolved_at__isnull=True)


class CorrectionRequest(models.Model):
    """Staff ask the porteur to fix named sections before a due date; resubmitting resolves it."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="correction_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("demandé par"), on_delete=models.RESTRICT, related_name="+"
    )
    reason = models.TextField(_("ce qu'il faut corriger"))
    sections = models.JSONField(_("étapes à corriger"), default=list, blank=True)
    due_at = models.DateTimeField(_("à corriger avant le"), validators=[validate_plausible_date])
    created_at = models.DateTimeField(_("demandé le"), default=timezone.now)
    resolved_at = models.DateTimeField(_("corrigé le"), null=True, blank=True)

    objects = CorrectionRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("demande de corrections")
        verbose_name_plural = _("demandes de corrections")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.dossier_id}: {self.reason[:40]}"


class EligibilityTrigger(models.TextChoices):
    SUBMISSION = "submission", _("Au dépôt")
    ON_DEMAND = "on_demand", _("À la demande d'un agent")


class EligibilityRunQuerySet(models.QuerySet):
    """A dossier's latest run is the one that counts (the pages, the list's filters, the exports)."""

    def latest_of(self, dossier):
        """The latest run of ``dossier`` with its results (by rule, with who overrode them), or None."""
        results = EligibilityResult.objects.select_related("overridden_by").order_by("rule_id")
        return self.filter(dossier=dossier).prefetch_related(models.Prefetch("results", queryset=results)).first()

    def latest_pk(self, dossier):
        """A subquery: the primary key of the latest run of ``dossier`` (an OuterRef in a filter or annotation)."""
        return models.Subquery(self.filter(dossier=dossier).order_by("-created_at", "-pk").values("pk")[:1])


class EligibilityRun(models.Model):
    """One run of the eligibility rules on a dossier; its results are kept, one row per rule."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="eligibility_runs")
    # Who asked, once: a task delivered twice finds the run its first delivery made.
    key = models.CharField(_("clé"), max_length=64, unique=True)
    version = models.ForeignKey(DossierVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    trigger = models.CharField(_("déclenchement"), max_length=12, choices=EligibilityTrigger.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("le"), default=timezone.now)

    objects = EligibilityRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("vérification d'éligibilité")
        verbose_name_plural = _("vérifications d'éligibilité")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.dossier_id} {self.created_at:%Y-%m-%d %H:%M}"


class EligibilityResult(models.Model):
    run = models.ForeignKey(EligibilityRun, on_delete=models.CASCADE, related_name="results")
    rule_id = models.CharField(_("règle"), max_length=8)
    title = models.CharField(_("intitulé"), max_length=200)
    status = models.CharField(_("résultat"), max_length=16)
    explanation = models.TextField(_("explication"))
    legal_basis = models.CharField(_("base juridique"), max_length=300)
    details = models.JSONField(_("détails"), default=list, blank=True)
    # The same wording in the interface's other languages, written by the same run: {"en": {"title": …,
    # "explanation": …, "legal_basis": …, "details": […]}}. The French fields above are the record.
    translations = models.JSONField(_("traductions"), default=dict, blank=True, editable=False)
    # Staff confirm or override a result, with a motivation (the rules never decide alone).
    override_status = models.CharField(_("résultat retenu par l'agent"), max_length=16, blank=True)
    override_motivation = models.TextField(_("motivation"), blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )
    overridden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("résultat d'une règle")
        verbose_name_plural = _("résultats des règles")
        ordering = ["run", "rule_id"]
        constraints = [models.UniqueConstraint(fields=["run", "rule_id"], name="eligibility_result_once_per_run")]

    def __str__(self):
        return f"{self.rule_id}: {self.status}"

    @property
    def effective_status(self):
        return self.override_status or self.status

    @property
    def wording(self):
        """Title, explanation, legal basis and details in the page's language when the run wrote them in it, else
        the French record (a run from before English was offered)."""
        french = {
            "title": self.title,
            "explanation": self.explanation,
            "legal_basis": self.legal_basis,
            "details": self.details,
        }
        return self.translations.get(translation.get_language()) or french

    @property
    def status_label(self):
        return RuleStatus(self.effective_status).label

    @property
    def badge_class(self):
        return STATUS_BADGES[RuleStatus(self.effective_status)]


class StaffNotification(models.Model):
    """Something a staff member or partner should know; e-mailed at once or in the daily digest."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("type"), max_length=40)
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="+")
    event_key = models.CharField(_("événement"), max_length=100)
    created_at = models.DateTimeField(_("le"), default=timezone.now)
    emailed_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "kind", "event_key"], name="staff_notification_once")
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient_id}"
