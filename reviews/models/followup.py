"""The bouquet de services of phase-1 laureates ("PTCE émergents"): their requests, followed by staff, and the list
of compagnon PTCE a pôle can be paired with for the transfert de savoir-faire."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.enums import BouquetNeed
from applications.models import Dossier
from reviews.enums import REQUEST_STATUS_BADGES, RequestStatus


class Compagnon(models.Model):
    """A PTCE that passes its know-how on (the TSF operated by Avise)."""

    name = models.CharField(_("nom"), max_length=200)
    region = models.ForeignKey(
        "territories.Region", verbose_name=_("région"), on_delete=models.PROTECT, null=True, blank=True
    )
    contact_email = models.EmailField(_("adresse de contact"), blank=True)
    topics = models.TextField(_("thèmes de transfert"), blank=True)
    active = models.BooleanField(
        _("disponible"), default=True, help_text=_("Seuls les compagnons disponibles sont proposés aux instructeurs.")
    )
    source_url = models.URLField(
        _("source"), max_length=500, blank=True, help_text=_("La page publique qui cite ce PTCE comme compagnon.")
    )
    note = models.TextField(_("précisions"), blank=True)

    class Meta:
        verbose_name = _("PTCE compagnon")
        verbose_name_plural = _("PTCE compagnons")
        ordering = ["name"]

    def __str__(self):
        return self.name


class BouquetRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The requests of the dossiers ``user`` may see (a regional partner: their regions'; 404 otherwise)."""
        return self.filter(dossier__in=Dossier.objects.visible_to(user))


class BouquetRequest(models.Model):
    """A PTCE émergent's request for one service of the bouquet (one per service and dossier), followed by staff:
    requested → in progress → done; for the transfert de savoir-faire, the compagnon it is paired with."""

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

    objects = BouquetRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("demande de service")
        verbose_name_plural = _("demandes de services")
        ordering = ["-requested_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["dossier", "service"], name="bouquet_request_once_per_service")]

    def __str__(self):
        return f"{self.dossier_id} {self.get_service_display()}"

    @property
    def status_badge(self):
        return REQUEST_STATUS_BADGES[RequestStatus(self.status)]

    @property
    def takes_compagnon(self):
        """Only the transfert de savoir-faire is paired with a compagnon."""
        return self.service == BouquetNeed.TSF


class BouquetRequestChange(models.Model):
    """What staff changed on a request (its status, its compagnon), by whom and when: the request's history, and
    the event the porteurs are e-mailed about (once per change)."""

    request = models.ForeignKey(BouquetRequest, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(_("suivi précédent"), max_length=12, choices=RequestStatus.choices)
    to_status = models.CharField(_("suivi"), max_length=12, choices=RequestStatus.choices)
    compagnon = models.ForeignKey(
        Compagnon,
        verbose_name=_("PTCE compagnon désigné"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Renseigné quand ce changement désigne un compagnon."),
    )
    # For traceability and accountability: an account with changes cannot be deleted.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("par"), on_delete=models.RESTRICT, related_name="+"
    )
    at = models.DateTimeField(_("le"), default=timezone.now)

    class Meta:
        verbose_name = _("changement d'une demande de service")
        verbose_name_plural = _("changements des demandes de services")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.request_id}: {self.from_status} → {self.to_status}"

    @property
    def status_changed(self):
        return self.from_status != self.to_status
