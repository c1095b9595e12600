from django import forms
from django.contrib import admin, messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from rules.contrib.admin import ObjectPermissionsModelAdminMixin

from ptce_ami.accounts.enums import STAFF_ROLES, Role
from ptce_ami.accounts.models import ApiCall, ApiToken, User
from ptce_ami.accounts.notifications import send_invitation_email


class PartnerRegionsMixin:
    def clean(self):
        cleaned = super().clean()
        regions = cleaned.get("regions")
        if cleaned.get("role") == Role.PARTENAIRE and regions is not None and not regions.exists():
            self.add_error("regions", _("Un partenaire régional doit suivre au moins une région."))
        return cleaned


class UserAdminForm(PartnerRegionsMixin, auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = [
            "email",
            "password",
            "first_name",
            "last_name",
            "organisation",
            "phone",
            "role",
            "regions",
            "is_active",
            "email_confirmed_at",
        ]


class UserCreationForm(PartnerRegionsMixin, forms.ModelForm):
    """Staff create accounts without a password: the person sets it through the invitation link."""

    class Meta:
        model = User
        fields = ["email", "first_name", "last_name", "organisation", "role", "regions"]


@admin.register(User)
class UserAdmin(ObjectPermissionsModelAdminMixin, BaseUserAdmin):
    form = UserAdminForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "role", "is_active", "email_confirmed_at", "last_login"]
    list_filter = ["role", "is_active", "regions"]
    search_fields = ["email", "first_name", "last_name", "organisation"]
    filter_horizontal = ["regions"]
    readonly_fields = ["last_login", "date_joined"]
    actions = ["confirm_emails"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Identité"), {"fields": ["first_name", "last_name", "organisation", "phone"]}),
        (_("Rôle"), {"fields": ["role", "regions", "is_active", "email_confirmed_at"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["email", "first_name", "last_name", "organisation", "role", "regions"]}),
    ]

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        # Only administrateurs create or promote staff accounts.
        if db_field.name == "role" and not request.user.is_superuser:
            kwargs["choices"] = [(value, label) for value, label in Role.choices if value not in STAFF_ROLES]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("regions")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.set_unusable_password()
            # Accounts created by staff are trusted: the address is the one the staff member typed.
            obj.email_confirmed_at = timezone.now()
        super().save_model(request, obj, form, change)
        if not change:
            transaction.on_commit(lambda: send_invitation_email(obj, invited_by=request.user))
            self.message_user(request, _("Une invitation a été envoyée à %(email)s.") % {"email": obj.email})

    @admin.action(description=_("Marquer l'adresse comme confirmée"))
    def confirm_emails(self, request, queryset):
        count = queryset.filter(email_confirmed_at=None).update(email_confirmed_at=timezone.now())
        self.message_user(
            request,
            ngettext("%(count)d adresse confirmée.", "%(count)d adresses confirmées.", count) % {"count": count},
            messages.SUCCESS,
        )


class ReadOnlyAdmin(ObjectPermissionsModelAdminMixin, admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["name", "prefix", "user", "created_at", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["revoked_at", "expires_at"]
    search_fields = ["name", "prefix", "user__email"]
    list_select_related = ["user"]
    exclude = ["digest"]


@admin.register(ApiCall)
class ApiCallAdmin(ReadOnlyAdmin):
    list_display = ["at", "method", "route", "status", "duration_ms", "user", "token"]
    list_filter = ["status", "method", "route"]
    search_fields = ["path", "user__email", "token__prefix"]
    list_select_related = ["user", "token"]
    date_hierarchy = "at"


# The second factor's devices (django-otp). django-otp's own admin shows each device's secret (the TOTP key, its QR
# code, the recovery codes): an administrateur could then pass another account's second factor. Here they only see
# who has which device and remove a lost one (the account enrols again at its next login); nothing else.
for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)


@admin.register(TOTPDevice, StaticDevice)
class SecondFactorDeviceAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__email", "user__last_name"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
