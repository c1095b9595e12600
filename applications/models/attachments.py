import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.enums import AttachmentKind
from applications.models.dossiers import Dossier
from applications.models.members import MemberStructure


def attachment_path(instance, filename):
    # Never the uploaded name: paths are not guessable and files are only served through permission checks.
    return f"dossiers/{instance.dossier.reference}/{uuid.uuid4().hex}{instance.extension}"


class AttachmentQuerySet(models.QuerySet):
    def current(self):
        return self.filter(removed_at__isnull=True)


class Attachment(models.Model):
    """An uploaded file. Files are never overwritten: a removed one is kept for the submitted versions."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="attachments")
    member = models.ForeignKey(
        MemberStructure,
        verbose_name=_("structure membre"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attachments",
    )
    kind = models.CharField(_("type de pièce"), max_length=30, choices=AttachmentKind.choices)
    file = models.FileField(_("fichier"), upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_("nom du fichier déposé"), max_length=255)
    extension = models.CharField(_("extension"), max_length=8)
    content_type = models.CharField(_("type de contenu"), max_length=100)
    size = models.PositiveBigIntegerField(_("taille (octets)"))
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("déposé par"), on_delete=models.RESTRICT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("déposé le"), default=timezone.now)
    removed_at = models.DateTimeField(_("retiré le"), null=True, blank=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")
        ordering = ["kind", "uploaded_at", "pk"]

    def __str__(self):
        return self.original_name
