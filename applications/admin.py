from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from rules.contrib.admin import ObjectPermissionsModelAdmin, ObjectPermissionsTabularInline

from applications.enums import AttachmentKind
from applications.models import Dossier, DossierTransition, Edition, Phase, Sector


class PhaseForm(forms.ModelForm):
    required_attachment_kinds = forms.MultipleChoiceField(
        label=_("Pièces obligatoires"),
        choices=AttachmentKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Un dossier de cette phase ne peut pas être déposé sans ces pièces."),
    )

    class Meta:
        model = Phase
        fields = [
            "edition",
            "kind",
            "wave",
            "opens_at",
            "closes_at",
            "max_grant",
            "required_attachment_kinds",
            "description",
        ]

    def clean(self):
        cleaned = super().clean()
        opens_at, closes_at = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens_at and closes_at and closes_at <= opens_at:
            self.add_error("closes_at", _("La date limite doit suivre l'ouverture de la phase."))
        return cleaned


class PhaseInline(ObjectPermissionsTabularInline):
    model = Phase
    form = PhaseForm
    extra = 0
    fields = ["kind", "wave", "opens_at", "closes_at", "max_grant"]
    show_change_link = True


@admin.register(Edition)
class EditionAdmin(ObjectPermissionsModelAdmin):
    list_display = ["name", "year", "published", "envelope"]
    list_filter = ["published"]
    inlines = [PhaseInline]


@admin.register(Phase)
class PhaseAdmin(ObjectPermissionsModelAdmin):
    form = PhaseForm
    list_display = ["__str__", "kind", "wave", "opens_at", "closes_at", "max_grant"]
    list_filter = ["edition", "kind"]
    list_select_related = ["edition"]


@admin.register(Sector)
class SectorAdmin(ObjectPermissionsModelAdmin):
    list_display = ["label", "code", "position"]
    list_editable = ["position"]


class TransitionInline(admin.TabularInline):
    model = DossierTransition
    extra = 0
    can_delete = False
    fields = ["at", "action", "from_state", "to_state", "by", "comment"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    """Support view for administrateurs only: dossiers are read, never edited, here (the workflow is the writer)."""

    list_display = ["reference", "name", "phase", "state", "owner", "region", "submitted_at"]
    list_filter = ["state", "phase", "region"]
    list_select_related = ["phase__edition", "owner", "region"]
    search_fields = ["reference", "name", "owner__email", "members__siret"]
    inlines = [TransitionInline]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
