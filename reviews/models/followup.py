"""The bouquet de services of phase-1 laureates ("PTCE émergents"): their requests, followed by staff, and the list
of compagnon PTCE a pôle can be paired with for the transfert de savoir-faire."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.enums import BouquetNeed
from reviews.enums import RequestStatus


class Compagnon(models.Model):
    """A PTCE that passes its know-how on (the TSF operated by Avise)."""

    name = models.CharField(_("nom"), max_length=200)
    region = models.ForeignKey(
        "territories.Region", verbose_name=_("région"), on_delete=models.PROTECT, null=True, blank=True
    )
    contact_email = models.EmailField(_("adresse de contact"), blank=True)
    topics = models.TextField(_("thèmes de transfert"), blank=True)
    active = models.BooleanField(_("disponible"), default=True)

    class Meta:
        verbose_name = _("PTCE compagnon")
        verbose_name_plural = _("PTCE compagnons")
        ordering = ["name"]

    def __str__(self):
        return self.name


class BouquetRequest(models.Model):
    dossier = models.ForeignKey(
        "applications.Dossier", verbose_name=_("dossier"), on_delete=models.CASCADE, related_name="bouquet_requests"
    )
    service = models.CharField(_("service"), max_length=20, choices=BouquetNeed.choices)
    status = models.CharField(
        _("suivi"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.REQUESTED
    )
    porteur_note = models.TextField(_("précisions du porteur"), max_length=2000, blank=True)
    staff_notes = models.TextField(_("notes de suivi"), blank=True)
    compagnon = models.ForeignKey(
        Compagnon,
        verbose_name=_("PTCE compagnon"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.RESTRICT, related_name="+")
    requested_at = models.DateTimeField(_("demandé le"), default=timezone.now)
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True)

    class Meta:
        verbose_name = _("demande de service")
        verbose_name_plural = _("demandes de services")
        ordering = ["-requested_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["dossier", "service"], name="bouquet_request_once_per_service")]

    def __str__(self):
        return f"{self.dossier_id} {self.get_service_display()}"
