"""The message thread of a dossier: posting a message (from the porteur's page or the staff page) and
downloading a message's attachment through a checked view.

Who cannot follow the thread (a reviewer, an outsider, a porteur on a draft) gets 404; who follows it without
being able to write (a withdrawn dossier) gets 403 on POST.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from applications.forms.messages import MAX_MESSAGE_FILES, MessageForm
from applications.models import MessageAttachment
from applications.services.attachments import AttachmentRefused
from applications.services.messages import is_staff_side, mark_read, post_message, thread_messages
from applications.views.base import can, get_visible_dossier, require_perm
from ptce_ami.accounts import permissions
from ptce_ami.core import audit
from ptce_ami.core.downloads import protected_download
from ptce_ami.core.middleware import accepts_files
from ptce_ami.core.redirects import safe_next


def thread_context(dossier, user, *, form=None):
    """Context of templates/applications/messages/_thread.html for ``user`` on ``dossier`` (constant queries).

    Marks the thread read by ``user`` (the messages unread until now are flagged ``is_new``). Those who may not
    follow the thread (a reviewer, a porteur's draft) get ``thread_visible`` False and nothing else.
    """
    if not permissions.has_perm(user, "applications.view_messages", dossier):
        return {"thread_visible": False}
    staff = is_staff_side(user)
    messages = thread_messages(dossier, user)
    previous = messages[0].last_read if messages else None
    for message in messages:
        message.is_new = message.from_staff != staff and (previous is None or message.created_at > previous)
    if messages and (previous is None or messages[-1].created_at > previous):
        mark_read(dossier, user)
    can_post = permissions.has_perm(user, "applications.post_message", dossier)
    if can_post and form is None:
        form = MessageForm(staff=staff)
    return {
        "thread_visible": True,
        "thread_dossier": dossier,
        "thread_messages": messages,
        "thread_unread": sum(message.is_new for message in messages),
        "thread_awaiting_reply": any(message.awaiting_reply for message in messages),
        "thread_is_staff": staff,
        "thread_can_post": can_post,
        "thread_form": form if can_post else None,
        "thread_next": "",  # the page the form comes back to; "" for the page that shows it
    }


def thread_dossier(request, reference):
    """The dossier, for someone who follows its thread; 404 for anyone else."""
    dossier = get_visible_dossier(request, reference)
    if not can(request, "applications.view_messages", dossier):
        raise Http404
    return dossier


@accepts_files(MAX_MESSAGE_FILES)
@login_required
@require_POST
def message_post(request, reference):
    dossier = thread_dossier(request, reference)
    require_perm(request, "applications.post_message", dossier)
    form = MessageForm(request.POST, request.FILES, staff=is_staff_side(request.user))
    if form.is_valid():
        try:
            post_message(
                dossier,
                author=request.user,
                body=form.cleaned_data["body"],
                uploads=form.cleaned_data["files"],
                awaiting_reply=form.cleaned_data.get("awaiting_reply", False),
            )
        except AttachmentRefused:  # checked by the form already: only a file changed in between gets here
            form.add_error("files", _("Un fichier n'a pas pu être vérifié : choisissez-le à nouveau."))
        else:
            messages.success(request, _("Votre message est envoyé."))
            return redirect(safe_next(request, dossier.get_absolute_url() + "#messages"))
    # The page the form came from cannot be rebuilt here: the thread and the form with its errors get a page.
    context = {"dossier": dossier, **thread_context(dossier, request.user, form=form)}
    context["next"] = context["thread_next"] = safe_next(request, dossier.get_absolute_url())
    return render(request, "applications/messages/post_form.html", context, status=200)


@login_required
@require_GET
def message_attachment_download(request, reference, attachment_id):
    dossier = thread_dossier(request, reference)
    attachment = get_object_or_404(MessageAttachment.objects.filter(message__dossier=dossier), pk=attachment_id)
    audit.record_staff_download(request, attachment)
    return protected_download(attachment.file, attachment.original_name, attachment.content_type)
