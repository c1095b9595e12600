import hashlib
import hmac
import secrets

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from ptce_ami.accounts import permissions
from ptce_ami.accounts.enums import STAFF_ROLES, NotificationFrequency, Role


class UserQuerySet(models.QuerySet):
    def with_role(self, *roles):
        return self.filter(role__in=roles, is_active=True)

    def partners_of_region(self, region_code):
        return self.with_role(Role.PARTENAIRE).filter(regions__code=region_code)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        # E-mail addresses are compared without case: "Marie@X.fr" and "marie@x.fr" are one account.
        return self.get(email__iexact=email)

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.PORTEUR)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["role"] = Role.ADMINISTRATEUR
        extra_fields.setdefault("email_confirmed_at", timezone.now())
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("adresse électronique"), max_length=254, unique=True)
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    last_name = models.CharField(_("nom"), max_length=150, blank=True)
    organisation = models.CharField(_("structure"), max_length=200, blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.PORTEUR)
    regions = models.ManyToManyField(
        "territories.Region",
        verbose_name=_("régions suivies"),
        blank=True,
        related_name="partners",
        help_text=_("Pour un partenaire régional : les régions dont il voit les dossiers."),
    )
    is_active = models.BooleanField(_("actif"), default=True)
    is_staff = models.BooleanField(_("accès à l'administration"), default=False, editable=False)
    notification_frequency = models.CharField(
        _("fréquence des notifications"),
        max_length=10,
        choices=NotificationFrequency.choices,
        default=NotificationFrequency.IMMEDIATE,
        help_text=_("Pour les agents et les partenaires : un courriel par événement, ou un récapitulatif par jour."),
    )
    language = models.CharField(
        _("langue"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        # Empty: never chosen. The account then takes the language its browser chose before signing in, if any;
        # its e-mails and PDF notices are in French (settings.LANGUAGE_CODE) until a choice is made.
        default="",
        help_text=_("La langue des pages, des courriels et des documents PDF que reçoit ce compte."),
    )
    email_confirmed_at = models.DateTimeField(_("adresse confirmée le"), null=True, blank=True)
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)
    # Part of the session hash: changing it ends every session of the account ("Se déconnecter partout").
    session_token = models.CharField(_("jeton de session"), max_length=64, blank=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        ordering = ["last_name", "first_name", "email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]
        # The reviewers, the instructeurs, a region's partners, in the order every choice list shows them: read from
        # here, not from a scan of every porteur's account (one per dossier at national scale, issue 15).
        indexes = [models.Index(fields=["role", "last_name", "first_name", "email"], name="user_role_name")]

    def __str__(self):
        return self.display_name

    def save(self, *args, **kwargs):
        self.email = self.__class__.objects.normalize_email(self.email).lower()
        # The role is the single source of truth for admin access (DESIGN §2).
        self.is_staff = self.role in STAFF_ROLES
        self.is_superuser = self.role == Role.ADMINISTRATEUR
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "role" in update_fields:
            kwargs["update_fields"] = {*update_fields, "is_staff", "is_superuser", "email"}
        super().save(*args, **kwargs)

    def _get_session_auth_hash(self, secret=None):
        # Django's hash of the password, plus the session token: a session whose hash no longer matches is flushed
        # on its next request. An empty token gives Django's own hash.
        key_salt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
        return salted_hmac(key_salt, self.password + self.session_token, secret=secret, algorithm="sha256").hexdigest()

    @property
    def preferred_language(self):
        """The language of this account's e-mails and PDF notices: its choice, else French."""
        return self.language or settings.LANGUAGE_CODE

    def end_all_sessions(self):
        """Log the account out everywhere: every session, this one included, stops being valid."""
        self.session_token = secrets.token_hex(32)
        self.save(update_fields=["session_token"])

    @property
    def session_inactivity_limit(self):
        """Seconds of inactivity after which a session ends: shorter for staff and regional partners."""
        if self.role in (*STAFF_ROLES, Role.PARTENAIRE):
            return settings.SESSION_STAFF_COOKIE_AGE
        return settings.SESSION_COOKIE_AGE

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def has_perm(self, perm, obj=None):
        """The project's rules decide every permission they declare, for superusers too, and refuse one of the
        project's own apps that no rule declares (accounts.permissions): an administrateur deletes an assignment or
        a conflict-of-interest declaration in the admin only if a rule says so."""
        if permissions.knows(perm):
            return permissions.has_perm(self, perm, obj)
        if permissions.is_own(perm):
            return False
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label):
        if permissions.knows(app_label):
            return permissions.has_perm(self, app_label)
        if permissions.is_own(app_label):
            return False
        return super().has_module_perms(app_label)

    @property
    def display_name(self):
        """The person's name, or their e-mail address when they gave none: how the platform names someone."""
        return self.get_full_name() or self.email

    def get_short_name(self):
        return self.first_name or self.email

    @property
    def email_confirmed(self):
        return self.email_confirmed_at is not None

    @property
    def is_porteur(self):
        return self.role == Role.PORTEUR

    @property
    def is_evaluateur(self):
        return self.role == Role.EVALUATEUR

    @property
    def is_partenaire(self):
        return self.role == Role.PARTENAIRE

    @property
    def is_instructeur(self):
        """True for State staff: instructeurs and administrateurs see everything (DESIGN §2)."""
        return self.role in STAFF_ROLES

    def confirm_email(self):
        self.email_confirmed_at = timezone.now()
        self.save(update_fields=["email_confirmed_at"])

    confirm_email.alters_data = True


# Personal API tokens ---------------------------------------------------------------------------------------------

# What a token looks like: "ptce_<prefix>_<secret>". The prefix is stored as is, to find the token and to show it in
# lists; only the SHA-256 of the whole token is kept, so that the secret is shown once, at creation, and never again.
API_TOKEN_SCHEME = "ptce"


def api_token_digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        """Neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class ApiToken(models.Model):
    """A personal token of the read API (DESIGN §11): it acts as its owner and sees what its owner sees."""

    user = models.ForeignKey(User, verbose_name=_("titulaire"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("nom"), max_length=80)
    prefix = models.CharField(_("préfixe"), max_length=12, unique=True, editable=False)
    digest = models.CharField(_("empreinte SHA-256"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expire le"))
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def display_prefix(self):
        return f"{API_TOKEN_SCHEME}_{self.prefix}_…"

    @property
    def is_revoked(self):
        return self.revoked_at is not None

    def is_expired(self, now=None):
        return self.expires_at <= (now or timezone.now())

    def matches(self, token):
        return hmac.compare_digest(self.digest, api_token_digest(token))


class ApiCall(models.Model):
    """One call of the read API: who (token and user), when, what (method, route template, path), the answer's status
    and how long it took. Kept API_CALL_RETENTION_DAYS days (accounts.services.purge_api_calls)."""

    token = models.ForeignKey(ApiToken, verbose_name=_("jeton"), on_delete=models.CASCADE, related_name="calls")
    user = models.ForeignKey(User, verbose_name=_("utilisateur"), on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(_("le"), default=timezone.now, db_index=True)
    method = models.CharField(_("méthode"), max_length=8)
    route = models.CharField(_("route"), max_length=200)
    path = models.CharField(_("chemin"), max_length=500)
    status = models.PositiveSmallIntegerField(_("statut"))
    duration_ms = models.PositiveIntegerField(_("durée (ms)"))

    class Meta:
        verbose_name = _("appel à l'API")
        verbose_name_plural = _("appels à l'API")
        ordering = ["-at", "-pk"]
        # The tokens page reads a user's latest calls.
        indexes = [models.Index(fields=["user", "-at"], name="api_call_user_latest")]

    def __str__(self):
        return f"{self.method} {self.path} {self.status}"
