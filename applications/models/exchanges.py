"""What staff and porteurs write about a dossier: the message thread, private annotations and labels."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models.dossiers import Dossier


class Message(models.Model):
    """One message of the thread between the porteur's side and the staff who follow the dossier."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("auteur"), on_delete=models.RESTRICT, related_name="+"
    )
    # Written by staff (instructeur, regional partner) rather than by the porteur's side.
    from_staff = models.BooleanField(_("envoyé par l'administration"), default=False)
    body = models.TextField(_("message"), max_length=10000)
    # Staff expect an answer: the dossier shows "réponse attendue" until the porteur's side writes back.
    awaiting_reply = models.BooleanField(_("réponse attendue"), default=False)
    created_at = models.DateTimeField(_("envoyé le"), default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["dossier", "created_at"], name="message_dossier_created")]

    def __str__(self):
        return f"{self.dossier_id} {self.created_at:%Y-%m-%d %H:%M}"


def message_attachment_path(instance, filename):
    return f"messages/{instance.message.dossier_id}/{uuid.uuid4().hex}{instance.extension}"


class MessageAttachment(models.Model):
    """A file sent with a message: same checks as the dossier's attachments, served through a checked view."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("fichier"), upload_to=message_attachment_path, max_length=255)
    original_name = models.CharField(_("nom du fichier"), max_length=255)
    extension = models.CharField(_("extension"), max_length=8)
    content_type = models.CharField(_("type de contenu"), max_length=100)
    size = models.PositiveBigIntegerField(_("taille (octets)"))
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("pièce jointe d'un message")
        verbose_name_plural = _("pièces jointes des messages")
        ordering = ["pk"]

    def __str__(self):
        return self.original_name


class MessageRead(models.Model):
    """Up to when a user has read a dossier's thread (unread counters)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dossier", "user"], name="message_read_once")]

    def __str__(self):
        return f"{self.dossier_id} {self.user_id} {self.read_at:%Y-%m-%d %H:%M}"


class Annotation(models.Model):
    """A private note of the staff on a dossier: never shown to the porteur's side."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="annotations")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("auteur"), on_delete=models.RESTRICT, related_name="+"
    )
    body = models.TextField(_("note"), max_length=5000)
    created_at = models.DateTimeField(_("écrite le"), default=timezone.now)

    class Meta:
        verbose_name = _("annotation privée")
        verbose_name_plural = _("annotations privées")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.dossier_id}: {self.body[:40]}"


class Label(models.Model):
    """A label staff put on dossiers to sort their work (e.g. "à revoir en comité", "rural")."""

    class Colour(models.TextChoices):
        BLUE = "blue-france", _("Bleu")
        GREEN = "green-emeraude", _("Vert")
        ORANGE = "orange-terre-battue", _("Orange")
        PURPLE = "purple-glycine", _("Violet")
        YELLOW = "yellow-tournesol", _("Jaune")
        BROWN = "brown-cafe-creme", _("Brun")

    name = models.CharField(_("libellé"), max_length=60, unique=True)
    colour = models.CharField(_("couleur"), max_length=24, choices=Colour.choices, default=Colour.BLUE)
    dossiers = models.ManyToManyField(Dossier, verbose_name=_("dossiers"), blank=True, related_name="labels")

    class Meta:
        verbose_name = _("étiquette")
        verbose_name_plural = _("étiquettes")
        ordering = ["name"]

    def __str__(self):
        return self.name
