"""The phase-2 budget: lines per year, charges and resources, co-financers and their status (DESIGN §4)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from applications.enums import BudgetCategory, BudgetSide, FundingStatus
from applications.models.dossiers import Dossier


class BudgetLine(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="budget_lines")
    year = models.PositiveSmallIntegerField(_("année"), validators=[MinValueValidator(1), MaxValueValidator(2)])
    side = models.CharField(_("charges ou ressources"), max_length=10, choices=BudgetSide.choices)
    category = models.CharField(_("catégorie"), max_length=20, choices=BudgetCategory.choices)
    label = models.CharField(_("intitulé"), max_length=200, blank=True)
    funder = models.CharField(_("financeur"), max_length=200, blank=True)
    status = models.CharField(_("statut"), max_length=10, choices=FundingStatus.choices, blank=True)
    amount = models.DecimalField(_("montant (€)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("ligne de budget")
        verbose_name_plural = _("lignes de budget")
        ordering = ["dossier", "year", "side", "position", "pk"]

    def __str__(self):
        return f"{self.dossier_id} A{self.year} {self.get_category_display()} {self.amount}"

    @property
    def requested_grant(self):
        """The line of the aid requested under this call (eligibility rule R11 reads it)."""
        return self.category == BudgetCategory.AMI_GRANT
