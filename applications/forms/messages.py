"""Forms of the message thread and of correction requests. Files are checked by content and size like the
dossier's attachments (ptce_ami.core.files), with the same French messages next to the field."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from applications.enums import PhaseKind
from applications.forms.attachments import ACCEPT, size_limit_attrs, validate_upload
from applications.models.exchanges import Message
from applications.services.steps import steps_for
from ptce_ami.core import files
from ptce_ami.core.forms import BaseForm
from ptce_ami.core.validators import validate_plausible_date

MAX_MESSAGE_FILES = 5


def too_many_files_message():
    return ngettext(
        "Joignez au plus %(max)d fichier à un message.",
        "Joignez au plus %(max)d fichiers à un message.",
        MAX_MESSAGE_FILES,
    ) % {"max": MAX_MESSAGE_FILES}


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each checked by content and size."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else [data] if data else []
        if len(uploads) > MAX_MESSAGE_FILES:
            raise ValidationError(too_many_files_message(), code="too_many")
        cleaned = [super(MultipleFileField, self).clean(upload, initial) for upload in uploads]
        for upload in cleaned:
            validate_upload(upload)
        return cleaned


class MessageForm(BaseForm):
    prefix = "message"  # unique ids on the staff page, which holds other forms

    body = forms.CharField(
        label=_("Votre message"),
        max_length=Message._meta.get_field("body").max_length,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Écrivez votre message avant de l'envoyer.")},
    )
    files = MultipleFileField(label=_("Pièces jointes"), required=False)
    awaiting_reply = forms.BooleanField(
        label=_("Réponse attendue"),
        required=False,
        help_text=_("Le dossier affiche « Réponse attendue » jusqu'à ce que le porteur réponde."),
    )

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        if not staff:
            del self.fields["awaiting_reply"]
        self.fields["files"].help_text = ngettext(
            "Facultatif, %(count)d fichier au plus. Formats acceptés : %(types)s. Taille maximale : %(max)s "
            "par fichier.",
            "Facultatif, %(count)d fichiers au plus. Formats acceptés : %(types)s. Taille maximale : %(max)s "
            "par fichier.",
            MAX_MESSAGE_FILES,
        ) % {
            "count": MAX_MESSAGE_FILES,
            "types": files.accepted_labels(),
            "max": files.format_size(settings.ATTACHMENT_MAX_SIZE),
        }
        self.fields["files"].widget.attrs.update(
            {**size_limit_attrs(MAX_MESSAGE_FILES), "data-max-files-message": too_many_files_message()}
        )
        self.helper = FormHelper()
        self.helper.form_tag = False  # the template writes <form enctype="multipart/form-data"> with ``next``
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(gettext("Écrire un message"), *self.fields),
            Submit("send", gettext("Envoyer le message")),
        )


def section_choices(kind=PhaseKind.PHASE1):
    return [(step.slug, step.title) for step in steps_for(kind)]


class CorrectionRequestForm(BaseForm):
    reason = forms.CharField(
        label=_("Ce qu'il faut corriger"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text=_("Ce texte est envoyé au porteur et conservé dans l'historique du dossier."),
        error_messages={"required": _("Dites au porteur ce qu'il doit corriger.")},
    )
    sections = forms.MultipleChoiceField(
        label=_("Étapes à corriger"),
        choices=section_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Le porteur ne pourra modifier que ces étapes."),
        error_messages={"required": _("Cochez au moins une étape à corriger.")},
    )
    due_at = forms.DateTimeField(
        label=_("À corriger avant le"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        validators=[validate_plausible_date],
        help_text=_("Date et heure de Paris."),
        error_messages={
            "required": _("Indiquez la date et l'heure avant lesquelles corriger le dossier."),
            "invalid": _("Saisissez une date et une heure valides, par exemple 14/09/2026 16:30."),
        },
    )

    def __init__(self, *args, kind=PhaseKind.PHASE1, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sections"].choices = section_choices(kind)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "reason",
            "sections",
            "due_at",
            Submit("request", gettext("Demander les corrections")),
        )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(gettext("Dites au porteur ce qu'il doit corriger."), code="required")
        return reason

    def clean_due_at(self):
        due_at = self.cleaned_data["due_at"]
        if due_at <= timezone.now():
            raise ValidationError(gettext("Choisissez une date et une heure à venir."), code="past")
        return due_at
