"""Role predicates (django-rules). Object-level predicates live with their objects' apps.

Predicates are tiny and defensive: anonymous and inactive users are never anything.
"""

import rules
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ptce_ami.accounts.enums import STAFF_ROLES, Role
from ptce_ami.accounts.permissions import add_perm


def _role_in(user, *roles):
    return bool(user and user.is_authenticated and user.is_active and getattr(user, "role", None) in roles)


@rules.predicate
def is_porteur(user):
    return _role_in(user, Role.PORTEUR)


@rules.predicate
def is_evaluateur(user):
    return _role_in(user, Role.EVALUATEUR)


@rules.predicate
def is_partenaire(user):
    return _role_in(user, Role.PARTENAIRE)


@rules.predicate
def is_instructeur(user):
    """State staff: instructeurs and administrateurs (who can do everything an instructeur can)."""
    return _role_in(user, Role.INSTRUCTEUR, Role.ADMINISTRATEUR)


@rules.predicate
def is_administrateur(user):
    return _role_in(user, Role.ADMINISTRATEUR)


@rules.predicate
def is_partenaire_of_region(user, region):
    if not is_partenaire(user) or region is None:
        return False
    region_code = getattr(region, "pk", region)
    return user.regions.filter(pk=region_code).exists()


is_staff_or_partenaire = is_instructeur | is_partenaire


# The Django admin: staff invite reviewers and regional partners there (DESIGN §2); only administrateurs
# create other staff accounts (the admin form limits the roles offered) or delete accounts.
@rules.predicate
def is_not_staff_account(user, target):
    return target is None or getattr(target, "role", None) not in STAFF_ROLES


rules.add_perm("accounts", is_instructeur)
rules.add_perm("accounts.view_user", is_instructeur)
rules.add_perm("accounts.add_user", is_instructeur)
rules.add_perm("accounts.change_user", is_administrateur | (is_instructeur & is_not_staff_account))
rules.add_perm("accounts.delete_user", is_administrateur)

# The outbox, reminders and sweep runs of the ground floor (ptce_ami.core imports nothing of ours, so its
# permissions are registered here): State staff follow them in the admin and retry failed e-mails.
rules.add_perm("core", is_instructeur)
rules.add_perm("core.view_outboundemail", is_instructeur)
rules.add_perm("core.change_outboundemail", is_instructeur)
rules.add_perm("core.view_sentreminder", is_instructeur)
rules.add_perm("core.view_sweeprun", is_instructeur)
rules.add_perm("core.view_queuedtask", is_instructeur)
rules.add_perm("core.change_queuedtask", is_instructeur)
rules.add_perm("core.view_auditentry", is_administrateur)
rules.add_perm("core.view_auditcheckpoint", is_administrateur)

# The territorial referential (ground floor): loaded by ``load_territories``, read in the admin by administrateurs,
# who also keep each region's CRESS there. Nothing is added or deleted by hand.
rules.add_perm("territories", is_administrateur)
for _model in ("region", "departement", "epci", "commune", "referentialversion"):
    rules.add_perm(f"territories.view_{_model}", is_administrateur)
rules.add_perm("territories.change_region", is_administrateur)

# The dashboards of the site layer (issue 12): a region's figures for its partners and State staff, the national
# figures for State staff only. The region is the object (a Region or its INSEE code).
rules.add_perm("accounts.view_region_dashboard", is_instructeur | is_partenaire_of_region)
rules.add_perm("accounts.view_national_dashboard", is_instructeur)
# The read API (DESIGN §11): State staff and regional partners create personal tokens; porteurs and reviewers do not
# (they have their own pages, and no staff tool to feed).
add_perm(
    "accounts.use_api",
    is_staff_or_partenaire,
    refusal=_("L'API est réservée aux instructeurs, aux administrateurs et aux partenaires régionaux."),
)
# Tokens and the API's call log are read-only in the admin (tokens are created and revoked by their owners).
rules.add_perm("accounts.view_apitoken", is_instructeur)
rules.add_perm("accounts.view_apicall", is_instructeur)


# The second factor (accounts.two_factor): required for the roles of TWO_FACTOR_REQUIRED_ROLES, who cannot remove it.
@rules.predicate
def second_factor_is_optional(user):
    return bool(user and user.is_authenticated and user.role not in settings.TWO_FACTOR_REQUIRED_ROLES)


add_perm(
    "accounts.disable_second_factor",
    second_factor_is_optional,
    refusal=_("La double authentification est obligatoire pour votre rôle : elle ne peut pas être désactivée."),
)
