from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.enums import NoticeKind, NoticeStatus
from applications.models.dossiers import Dossier, DossierVersion


def notice_path(instance, filename):
    stamp = timezone.now().strftime("%Y%m%d%H%M%S")
    return f"notices/{instance.dossier.reference}/{instance.kind}-v{instance.number}-{stamp}.pdf"


class NoticeQuerySet(models.QuerySet):
    def for_porteurs(self):
        return self.filter(status=NoticeStatus.READY).filter(
            models.Q(kind=NoticeKind.RECEIPT) | models.Q(published_at__isnull=False)
        )


class Notice(models.Model):
    """A PDF notice (receipt, decision letter…). Regenerating makes a new row: a sent notice never changes."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="notices")
    version = models.ForeignKey(
        DossierVersion, verbose_name=_("version du dossier"), on_delete=models.CASCADE, null=True, related_name="+"
    )
    kind = models.CharField(_("type"), max_length=30, choices=NoticeKind.choices)
    number = models.PositiveSmallIntegerField(_("numéro"), default=1)
    status = models.CharField(_("état"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.PENDING)
    file = models.FileField(_("fichier"), upload_to=notice_path, max_length=255, blank=True)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    rendered_at = models.DateTimeField(_("produit le"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("produit par"),
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Receipts are for the porteur at once; decision letters only once the committee's decisions are published.
    published_at = models.DateTimeField(_("communiqué au porteur le"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    error = models.TextField(_("dernière erreur"), blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("avis PDF")
        verbose_name_plural = _("avis PDF")
        ordering = ["dossier", "kind", "number"]
        constraints = [models.UniqueConstraint(fields=["dossier", "kind", "number"], name="notice_unique_number")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.dossier_id} n° {self.number}"
