"""The history of the State's PTCE laureates (rule R07) and the phase-1 laureates selected before the platform,
which their porteur claims to start phase 2. Staff complete it in the admin (CSV/XLSX import with a preview)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.enums import LaureateCall

siren_validator = RegexValidator(r"^\d{9}$", _("Un SIREN compte 9 chiffres."))


class LaureateRecord(models.Model):
    year = models.PositiveSmallIntegerField(_("année"), validators=[MinValueValidator(2010), MaxValueValidator(2100)])
    call = models.CharField(_("appel"), max_length=60, help_text=_("Par exemple : « AMI 2021 phase 2 »."))
    kind = models.CharField(_("nature"), max_length=10, choices=LaureateCall.choices)
    name = models.CharField(_("nom du pôle"), max_length=200)
    aliases = models.CharField(
        _("autres noms"),
        max_length=500,
        blank=True,
        help_text=_("Séparés par « | », tels que les sources les citent."),
    )
    lead = models.CharField(_("structure porteuse"), max_length=200, blank=True)
    lead_siren = models.CharField(
        _("SIREN de la structure porteuse"), max_length=9, blank=True, validators=[siren_validator]
    )
    region_name = models.CharField(_("région"), max_length=100, blank=True)
    region = models.ForeignKey(
        "territories.Region", verbose_name=_("région (référentiel)"), on_delete=models.PROTECT, null=True, blank=True
    )
    contact_email = models.EmailField(
        _("adresse du porteur"), blank=True, help_text=_("Pour qu'il réclame ce lauréat et dépose sa phase 2.")
    )
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    note = models.TextField(_("note"), blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("réclamé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="claimed_laureates",
    )
    claimed_at = models.DateTimeField(_("réclamé le"), null=True, blank=True)
    created_at = models.DateTimeField(_("ajouté le"), default=timezone.now)

    class Meta:
        verbose_name = _("lauréat de l'historique")
        verbose_name_plural = _("historique des lauréats")
        ordering = ["-year", "name"]
        indexes = [models.Index(fields=["lead_siren"], name="laureate_record_siren_idx")]

    def __str__(self):
        return f"{self.name} ({self.call})"

    @property
    def is_claimed(self):
        """A porteur has claimed it (applications.rules.laureate_is_claimed reads this)."""
        return self.claimed_by_id is not None

    @property
    def is_phase1_laureate(self):
        """Selected in phase 1 ("PTCE émergent"): the prerequisite of phase 2 (rule R08), what a porteur claims."""
        return self.kind == LaureateCall.PHASE1
