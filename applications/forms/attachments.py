"""The form that adds an attachment to a dossier (the "pieces" step). Its file is checked by content and size
(ptce_ami.core.files) with a French message next to the field."""

from crispy_forms.bootstrap import FormActions
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from applications.enums import AttachmentKind
from applications.models import MemberStructure
from applications.services.attachments import TOO_LARGE, AttachmentRefused, check_file
from ptce_ami.core import files
from ptce_ami.core.forms import BaseForm

ACCEPT = ",".join([*files.NAME_EXTENSIONS, *(file_type.content_type for file_type in files.ACCEPTED_TYPES)])


def refusal_message(refusal, name):
    """What to tell the porteur about a refused file, and how to fix it."""
    if refusal == files.Refusal.EMPTY:
        return gettext("Le fichier est vide.")
    if refusal == files.Refusal.ENCRYPTED:
        return gettext(
            "Ce fichier est protégé par un mot de passe : enregistrez-en une version sans protection, puis déposez-la."
        )
    if refusal == files.Refusal.MACROS:
        return gettext("Ce document contient des macros : enregistrez-le au format DOCX ou XLSX, sans macros.")
    if refusal == files.Refusal.DAMAGED:
        return gettext(
            "Ce fichier est endommagé ou incomplet : il ne peut pas être ouvert. Enregistrez-le à nouveau, "
            "puis déposez-le."
        )
    message = gettext("Ce fichier n'est pas d'un type accepté (%(types)s).") % {"types": files.accepted_labels()}
    extension = files.name_extension(name)
    if extension in files.NAME_EXTENSIONS:
        # The name says one accepted type, the content another thing.
        message += " " + gettext("Son contenu ne correspond pas à son extension « %(extension)s ».") % {
            "extension": extension
        }
    return message


def too_large_message(size, max_size):
    return gettext("Ce fichier dépasse la taille maximale de %(max)s (il fait %(size)s).") % {
        "max": files.format_size(max_size),
        "size": files.format_size(size, round_up=True),
    }


def refused_message(refused, uploaded):
    """The French sentence for an AttachmentRefused raised by the upload policy (services.attachments.check_file)."""
    if refused.refusal == TOO_LARGE:
        size = refused.inspection.size if refused.inspection else uploaded.size
        return too_large_message(size, settings.ATTACHMENT_MAX_SIZE)
    return refusal_message(refused.refusal, uploaded.name)


def validate_upload(uploaded):
    """The upload policy (size, type by content), as a form field's check: the file's inspection, or a
    ValidationError with the sentence that says what to do."""
    try:
        return check_file(uploaded)
    except AttachmentRefused as refused:
        raise ValidationError(refused_message(refused, uploaded), code=refused.refusal) from None


def size_limit_attrs(max_files=None):
    """The file input's data attributes read by static/js/upload-limits.js: the browser refuses a file over the limit
    (or too many files) with these French messages next to the field, before a long upload the server would refuse."""
    max_size = settings.ATTACHMENT_MAX_SIZE
    attrs = {
        "data-max-size": str(max_size),
        "data-max-size-message": gettext(
            "Ce fichier dépasse la taille maximale de %(max)s : choisissez un fichier plus petit (par exemple un PDF "
            "compressé)."
        )
        % {"max": files.format_size(max_size)},
    }
    if max_files is not None:
        attrs["data-max-files"] = str(max_files)
        attrs["data-max-size-message"] = gettext(
            "Un des fichiers dépasse la taille maximale de %(max)s par fichier : retirez-le ou choisissez un fichier "
            "plus petit."
        ) % {"max": files.format_size(max_size)}
    return attrs


def kind_choices(phase):
    """Every kind of attachment, the phase's required ones first, marked "(obligatoire)"."""
    required = [AttachmentKind(kind) for kind in phase.required_attachment_kinds]
    others = [kind for kind in AttachmentKind if kind not in required]
    return [
        ("", gettext("Sélectionner un type de pièce")),
        *((kind.value, gettext("%(label)s (obligatoire)") % {"label": kind.label}) for kind in required),
        *((kind.value, kind.label) for kind in others),
    ]


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name or gettext("Structure sans nom")


class AttachmentForm(BaseForm):
    kind = forms.ChoiceField(label=_("Type de pièce"))
    member = MemberChoiceField(
        label=_("Structure qui s'engage"),
        queryset=MemberStructure.objects.none(),
        required=False,
        empty_label=_("Sélectionner une structure membre"),
        help_text=_("Seulement pour une lettre d'engagement : la structure membre qui l'a signée."),
    )
    file = forms.FileField(
        label=_("Fichier"),
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
        error_messages={
            "required": _("Choisissez le fichier à déposer."),
            "empty": _("Le fichier est vide."),
            "invalid": _("Aucun fichier n'a été reçu : choisissez-le à nouveau."),
            "missing": _("Aucun fichier n'a été reçu : choisissez-le à nouveau."),
        },
    )

    def __init__(self, *args, dossier, **kwargs):
        super().__init__(*args, **kwargs)
        self.dossier = dossier
        self.inspection = None
        self.fields["kind"].choices = kind_choices(dossier.phase)
        self.fields["file"].help_text = gettext("Formats acceptés : %(types)s. Taille maximale : %(max)s.") % {
            "types": files.accepted_labels(),
            "max": files.format_size(settings.ATTACHMENT_MAX_SIZE),
        }
        self.fields["file"].widget.attrs.update(size_limit_attrs())
        self.fields["member"].queryset = dossier.members.order_by("position", "pk")
        self.helper = FormHelper()
        self.helper.form_tag = False  # the page writes <form enctype="multipart/form-data" novalidate>
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(gettext("Ajouter une pièce"), "kind", "member", "file"),
            FormActions(Submit("upload", gettext("Ajouter la pièce"))),
        )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        self.inspection = validate_upload(uploaded)
        return uploaded

    def clean(self):
        cleaned_data = super().clean()
        member, kind = cleaned_data.get("member"), cleaned_data.get("kind")
        if member is not None and kind and kind != AttachmentKind.COMMITMENT_LETTER:
            self.add_error(
                "member",
                gettext(
                    "Choisissez une structure seulement pour une lettre d'engagement, ou changez le type de pièce."
                ),
            )
        return cleaned_data
