"""The attachments step of the guided form: a dossier's files listed, added, removed (softly) and downloaded.

Like the other steps, the page is for the dossier's editors while it is editable; whoever can see the dossier
downloads its files (its page lists them). Outsiders get 404 everywhere, read-only roles 403.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from applications.enums import AttachmentKind
from applications.forms.attachments import AttachmentForm, refused_message
from applications.models import Attachment
from applications.services.attachments import AttachmentRefused, add_attachment, remove_attachment
from applications.services.dossiers import DossierNotEditable, not_editable_message
from applications.services.steps import get_step
from applications.views.base import can, get_visible_dossier, require_action
from applications.views.steps import editable_dossier, step_context
from ptce_ami.core import audit, files
from ptce_ami.core.downloads import protected_download
from ptce_ami.core.middleware import accepts_files

STEP = "pieces"
TYPE_LABELS = {file_type.content_type: file_type.label for file_type in files.ACCEPTED_TYPES}


@dataclass(frozen=True)
class AttachmentRow:
    attachment: Attachment
    size: str  # "12,4 Mo"
    type_label: str  # "PDF"


@dataclass(frozen=True)
class RequiredKind:
    kind: AttachmentKind
    attachments: list

    @property
    def anchor(self):
        return f"kind-{self.kind.value}"


def page_context(dossier, form):
    current = list(dossier.attachments.current().select_related("member", "uploaded_by"))
    rows = [
        AttachmentRow(attachment, files.format_size(attachment.size), TYPE_LABELS.get(attachment.content_type, ""))
        for attachment in current
    ]
    required = [
        RequiredKind(kind, [attachment for attachment in current if attachment.kind == kind])
        for kind in dossier.phase.required_attachments()
    ]
    context = step_context(dossier, get_step(STEP, dossier.phase.kind), rows=rows, required_kinds=required)
    context["form"] = form
    return context


def initial_kind(request):
    """The kind preselected by a link from a missing required attachment (?kind=statuts)."""
    kind = request.GET.get("kind", "")
    return {"kind": kind} if kind in AttachmentKind.values else {}


def writable_dossier(request, reference):
    """The dossier, for a page that changes it. GET follows the other steps (an editor of a submitted dossier is
    sent back to its page, a read-only role gets 403); a POST by anyone who may not change it gets 403."""
    if request.method != "POST":
        return editable_dossier(request, reference)
    dossier = get_visible_dossier(request, reference)
    if not require_action(request, "applications.change_dossier", dossier):
        raise DossierNotEditable
    return dossier, None


@accepts_files(1)
@login_required
@require_http_methods(["GET", "POST"])
def attachments(request, reference):
    dossier, response = writable_dossier(request, reference)
    if response:
        return response
    if request.method == "GET":
        form = AttachmentForm(dossier=dossier, initial=initial_kind(request))
        return render(request, "applications/attachments.html", page_context(dossier, form))
    form = AttachmentForm(request.POST, request.FILES, dossier=dossier)
    if form.is_valid():
        response = upload(request, dossier, form)
        if response is not None:
            return response
    return render(request, "applications/attachments.html", page_context(dossier, form))


def upload(request, dossier, form):
    """Call the service; a redirect when done, None when the form got an error to show."""
    uploaded = form.cleaned_data["file"]
    try:
        attachment = add_attachment(
            dossier,
            kind=form.cleaned_data["kind"],
            uploaded_file=uploaded,
            member=form.cleaned_data.get("member"),
            by=request.user,
        )
    except AttachmentRefused as refused:
        # Checked by the form already; only a file that changed in between gets here.
        form.add_error("file", refused_message(refused, uploaded))
        return None
    except DossierNotEditable:
        messages.info(request, not_editable_message(dossier))
        return redirect(dossier)
    messages.success(request, _("Pièce ajoutée : %(name)s.") % {"name": attachment.original_name})
    return redirect("applications:attachments", reference=dossier.reference)


@login_required
@require_http_methods(["GET", "POST"])
def attachment_delete(request, reference, attachment_id):
    dossier, response = writable_dossier(request, reference)
    if response:
        return response
    attachment = get_object_or_404(dossier.attachments.current().select_related("member"), pk=attachment_id)
    if request.method == "POST":
        try:
            remove_attachment(attachment, by=request.user)
        except DossierNotEditable:
            messages.info(request, not_editable_message(dossier))
            return redirect(dossier)
        messages.success(request, _("Pièce retirée : %(name)s.") % {"name": attachment.original_name})
        return redirect("applications:attachments", reference=dossier.reference)
    context = step_context(
        dossier, get_step(STEP, dossier.phase.kind), attachment=attachment, size=files.format_size(attachment.size)
    )
    return render(request, "applications/attachment_confirm_delete.html", context)


@login_required
@require_GET
def attachment_download(request, reference, attachment_id):
    """The file, to whoever can see the dossier; a removed file only to State staff (versions cite it)."""
    dossier = get_visible_dossier(request, reference)
    attachment = get_object_or_404(dossier.attachments, pk=attachment_id)
    if attachment.removed_at is not None and not can(request, "applications.view_removed_attachments", dossier):
        raise Http404
    audit.record_staff_download(request, attachment)
    return protected_download(attachment.file, attachment.original_name, attachment.content_type)
