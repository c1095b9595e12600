"""What each staff member keeps of the instruction list for themselves: the columns they chose to see and the
dossiers they follow (the "Suivis par moi" tab), as démarches-simplifiées' instructeurs do."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ListPreference(models.Model):
    """The columns a staff member chose for one of the staff lists (``list_name``), in the catalogue's order."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("utilisateur"), on_delete=models.CASCADE, related_name="+"
    )
    list_name = models.CharField(_("liste"), max_length=40)
    columns = models.JSONField(_("colonnes affichées"), default=list)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("préférence de liste")
        verbose_name_plural = _("préférences de liste")
        constraints = [models.UniqueConstraint(fields=["user", "list_name"], name="list_preference_unique_list")]

    def __str__(self):
        return f"{self.user_id} {self.list_name}"


class Follow(models.Model):
    """A staff member follows a dossier: personal, it changes nothing of the dossier itself."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("utilisateur"), on_delete=models.CASCADE, related_name="+"
    )
    dossier = models.ForeignKey(
        "applications.Dossier", verbose_name=_("dossier"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("suivi depuis le"), default=timezone.now)

    class Meta:
        verbose_name = _("dossier suivi")
        verbose_name_plural = _("dossiers suivis")
        # Its index serves the list's "Suivis par moi" filter (user = ? and dossier = the row's).
        constraints = [models.UniqueConstraint(fields=["user", "dossier"], name="follow_unique_dossier")]

    def __str__(self):
        return f"{self.user_id} → {self.dossier_id}"
