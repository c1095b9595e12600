from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from applications.enums import PHASE_REFERENCE_CODES, AttachmentKind, PaymentCondition, PhaseKind, ReportKind
from ptce_ami.core.validators import validate_plausible_date


class EditionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)


class Edition(models.Model):
    name = models.CharField(_("nom"), max_length=150, help_text=_("Par exemple : AMI PTCE 2026."))
    year = models.PositiveSmallIntegerField(
        _("année"), unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    published = models.BooleanField(
        _("publiée"), default=False, help_text=_("Une édition publiée apparaît sur la page publique de l'appel.")
    )
    envelope = models.DecimalField(
        _("enveloppe (€)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Montant total que le comité peut engager sur cette édition."),
    )
    description = models.TextField(_("présentation"), blank=True)

    objects = EditionQuerySet.as_manager()

    class Meta:
        verbose_name = _("édition")
        verbose_name_plural = _("éditions")
        ordering = ["-year"]

    def __str__(self):
        return self.name


def validate_attachment_kinds(value):
    unknown = set(value or []) - set(AttachmentKind.values)
    if not isinstance(value, list) or unknown:
        raise ValidationError(_("Types de pièces inconnus : %(kinds)s"), params={"kinds": ", ".join(sorted(unknown))})


class PhaseQuerySet(models.QuerySet):
    def open_at(self, moment):
        return self.filter(opens_at__lte=moment, closes_at__gte=moment)

    def open_now(self):
        return self.open_at(timezone.now())

    def published(self):
        return self.filter(edition__published=True)


class Phase(models.Model):
    edition = models.ForeignKey(Edition, verbose_name=_("édition"), on_delete=models.PROTECT, related_name="phases")
    kind = models.CharField(_("phase"), max_length=10, choices=PhaseKind.choices)
    wave = models.PositiveSmallIntegerField(_("vague"), default=1, validators=[MinValueValidator(1)])
    opens_at = models.DateTimeField(
        _("ouverture"), help_text=_("Date et heure de Paris."), validators=[validate_plausible_date]
    )
    closes_at = models.DateTimeField(
        _("date limite de dépôt"),
        validators=[validate_plausible_date],
        help_text=_("Date et heure de Paris, à la seconde : un dossier non déposé à cet instant n'est pas candidat."),
    )
    max_grant = models.DecimalField(
        _("aide maximale par dossier (€)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    min_grant = models.DecimalField(
        _("aide minimale par dossier (€)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    envelope = models.DecimalField(
        _("enveloppe de la phase (€)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Ce que le comité peut engager sur cette phase ; vide pour une phase sans aide financière."),
    )
    max_laureates = models.PositiveIntegerField(
        _("nombre maximal de lauréats"),
        null=True,
        blank=True,
        help_text=_("Vide : pas de limite autre que l'enveloppe."),
    )
    grant_years = models.PositiveSmallIntegerField(
        _("durée de l'aide (années)"), default=2, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    required_attachment_kinds = models.JSONField(
        _("pièces obligatoires"),
        default=list,
        blank=True,
        validators=[validate_attachment_kinds],
        help_text=_("Les pièces sans lesquelles un dossier de cette phase ne peut pas être déposé."),
    )
    description = models.TextField(_("présentation"), blank=True)

    objects = PhaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["edition", "kind", "wave"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "kind", "wave"], name="phase_unique_per_edition_wave"),
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="phase_closes_after_opening"),
        ]

    def __str__(self):
        return f"{self.edition} — {self.get_kind_display()} (vague {self.wave})"

    def is_open(self, moment=None):
        moment = moment or timezone.now()
        return self.opens_at <= moment <= self.closes_at

    def has_closed(self, moment=None):
        return (moment or timezone.now()) > self.closes_at

    @property
    def reference_code(self):
        return PHASE_REFERENCE_CODES[self.kind]

    def required_attachments(self):
        """The kinds of attachment a dossier of this phase must hold (each once, in the order staff set)."""
        return [AttachmentKind(kind) for kind in dict.fromkeys(self.required_attachment_kinds or [])]

    def missing_attachments(self, attachments):
        """The required kinds that ``attachments`` (a dossier's, removed ones ignored) leave without a file."""
        present = {attachment.kind for attachment in attachments if getattr(attachment, "removed_at", None) is None}
        return [kind for kind in self.required_attachments() if kind not in present]

    @staticmethod
    def missing_attachment_message(kind):
        return gettext("Pièce obligatoire manquante : %(kind)s.") % {"kind": AttachmentKind(kind).label}


class PaymentStage(models.Model):
    """One tranche of the phase's grants: its share of the amount and what makes it payable."""

    phase = models.ForeignKey(Phase, verbose_name=_("phase"), on_delete=models.CASCADE, related_name="payment_stages")
    position = models.PositiveSmallIntegerField(_("ordre"), default=1)
    label = models.CharField(_("intitulé"), max_length=120, help_text=_("Par exemple : « Premier versement »."))
    percent = models.PositiveSmallIntegerField(
        _("part de l'aide (%)"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    condition = models.CharField(_("versée"), max_length=20, choices=PaymentCondition.choices)

    class Meta:
        verbose_name = _("tranche de versement")
        verbose_name_plural = _("tranches de versement")
        ordering = ["phase", "position", "pk"]

    def __str__(self):
        return f"{self.label} ({self.percent} %)"


class ReportRequirement(models.Model):
    """A report the laureates of the phase file, and when it is due after the grant agreement."""

    phase = models.ForeignKey(
        Phase, verbose_name=_("phase"), on_delete=models.CASCADE, related_name="report_requirements"
    )
    kind = models.CharField(_("rapport"), max_length=10, choices=ReportKind.choices)
    due_months = models.PositiveSmallIntegerField(
        _("dû (mois après la convention)"), validators=[MinValueValidator(1), MaxValueValidator(120)]
    )

    class Meta:
        verbose_name = _("rapport demandé")
        verbose_name_plural = _("rapports demandés")
        ordering = ["phase", "due_months", "pk"]
        constraints = [models.UniqueConstraint(fields=["phase", "kind"], name="report_requirement_once_per_kind")]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.due_months} mois)"


class ReferenceSequence(models.Model):
    """The last number given to a dossier of an edition and phase kind: PTCE-2026-P1-0042."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=PhaseKind.choices)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("compteur de références")
        verbose_name_plural = _("compteurs de références")
        constraints = [models.UniqueConstraint(fields=["edition", "kind"], name="reference_sequence_unique")]

    def __str__(self):
        return f"{self.edition.year} {self.kind}: {self.last_number}"


class Sector(models.Model):
    """Sectors and filières of activity (a reference list, filterable in staff lists)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("libellé"), max_length=120)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("secteur")
        verbose_name_plural = _("secteurs")
        ordering = ["position", "label"]

    def __str__(self):
        return self.label
