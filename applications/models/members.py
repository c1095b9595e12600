from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from applications.enums import EssLegalForm, MemberCategory, MemberRole
from applications.models.dossiers import Dossier


class MemberStructure(models.Model):
    """A legal (or natural) person taking part in the pôle; exactly one of them leads it."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("nom de la structure"), max_length=200)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    category = models.CharField(_("catégorie (art. 9 de la loi ESS)"), max_length=20, choices=MemberCategory.choices)
    ess_legal_form = models.CharField(
        _("forme juridique de l'ESS"), max_length=30, choices=EssLegalForm.choices, blank=True
    )
    esus_approved = models.BooleanField(_("agrément ESUS"), default=False)
    commune = models.ForeignKey(
        "territories.Commune", verbose_name=_("commune"), on_delete=models.PROTECT, null=True, blank=True
    )
    role = models.CharField(
        _("rôle dans le pôle"), max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    contribution = models.TextField(_("contribution au pôle"), max_length=1000, blank=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    # What the State's company directory said of the SIRET when the dossier was submitted (ptce_ami.core.companies):
    # est_ess, collectivite_territoriale, the legal category, whether it is active; empty when it did not answer.
    official_data = models.JSONField(_("données officielles"), default=dict, blank=True)
    official_checked_at = models.DateTimeField(_("données officielles lues le"), null=True, blank=True)
    created_at = models.DateTimeField(_("ajouté le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("structure membre")
        verbose_name_plural = _("structures membres")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"], condition=Q(role=MemberRole.LEAD), name="member_one_lead_per_dossier"
            ),
            models.UniqueConstraint(
                fields=["dossier", "siret"], condition=~Q(siret=""), name="member_siret_unique_per_dossier"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_lead(self):
        return self.role == MemberRole.LEAD

    @property
    def siren(self):
        return self.siret[:9] if len(self.siret) == 14 else ""
