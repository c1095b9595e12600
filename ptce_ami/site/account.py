"""The person's rights on their account page: download all their data (a streamed zip), delete their account
(porteurs whose dossiers were never submitted; the others are told why not and how long their data is kept)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db.models import ProtectedError, RestrictedError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from applications.models import Dossier
from applications.services import retention
from ptce_ami.accounts.enums import Role
from ptce_ami.accounts.permissions import has_perm, require_perm
from ptce_ami.core import audit
from ptce_ami.core.downloads import protected_zip
from ptce_ami.core.models import AuditAction
from ptce_ami.site.forms import AccountDeletionForm
from reviews.services import personal_data


@login_required
@require_GET
def download_data(request):
    """All the data of the signed-in user, never anyone else's: the URL takes no id."""
    require_perm(request.user, "applications.download_own_data")
    filename = f"ami-ptce-mes-donnees-{timezone.localdate():%Y-%m-%d}.zip"
    return protected_zip(personal_data.zip_entries(request.user), filename)


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    user = request.user
    allowed = has_perm(user, "applications.delete_own_account")
    form = AccountDeletionForm(request.POST if allowed and request.method == "POST" else None, user=user)
    if allowed and form.is_valid():
        label, user_id = user.email, str(user.pk)
        try:
            retention.delete_account(user)
        except (ProtectedError, RestrictedError):
            messages.error(
                request, _("Votre compte est lié à des traitements en cours : écrivez à l'équipe pour le supprimer.")
            )
            return redirect("accounts:profile")
        audit.record(AuditAction.ACCOUNT_DELETION, actor_label=label, object_ref=("accounts.user", user_id, label))
        logout(request)
        messages.success(request, _("Votre compte et vos brouillons ont été supprimés."))
        return redirect("site:home")
    context = {
        "form": form,
        "allowed": allowed,
        "is_staff_account": user.role != Role.PORTEUR,
        "filed": Dossier.objects.filter(owner=user, submitted_at__isnull=False).order_by("reference"),
        "drafts": Dossier.objects.filter(owner=user, submitted_at__isnull=True).order_by("reference"),
        "closed_years": settings.RETENTION_CLOSED_YEARS,
        "laureate_years": settings.RETENTION_LAUREATE_YEARS,
        "draft_months": settings.RETENTION_DRAFT_MONTHS,
    }
    return render(request, "site/account_delete.html", context)
