from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.enums import NoticeKind, NoticeStatus
from applications.models.dossiers import Dossier, DossierVersion


def notice_path(instance, filename):
    stamp = timezone.now().strftime("%Y%m%d%H%M%S")
    return f"notices/{instance.dossier.reference}/{instance.kind}-v{instance.number}-{stamp}.pdf"


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
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    error = models.TextField(_("dernière erreur"), blank=True)

    class Meta:
        verbose_name = _("avis PDF")
        verbose_name_plural = _("avis PDF")
        ordering = ["dossier", "kind", "number"]
        constraints = [models.UniqueConstraint(fields=["dossier", "kind", "number"], name="notice_unique_number")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.dossier_id} n° {self.number}"
