"""Which dossiers a user may see: the first line of defence (DESIGN §2, HOUSE_STYLE §4).

Higher floors extend it without being imported: reviews registers how a reviewer reaches the dossiers
assigned to them (``register_role_scope`` in its AppConfig.ready).
"""

from django.db.models import Exists, OuterRef, Q

from ptce_ami.accounts.enums import Role

_ROLE_SCOPES = {}
# A condition no row meets (Django compiles it without querying).
NOTHING = Q(pk__in=[])


def register_role_scope(role, scope):
    """``scope(user) -> Q`` adds the dossiers a role reaches beyond its own (reviewers: assignments)."""
    _ROLE_SCOPES[role] = scope


def editor_condition(user):
    """Dossiers the user owns or was invited to co-edit (with a confirmed address). Porteur accounts only, as
    applications.rules.is_dossier_editor: staff, reviewers and partners never reach a dossier as its authors."""
    from applications.models.dossiers import DossierInvitation  # noqa: PLC0415 -- models import this module

    if user.role != Role.PORTEUR:
        return NOTHING
    condition = Q(owner=user)
    if user.email_confirmed:
        invited = DossierInvitation.objects.filter(dossier=OuterRef("pk"), email=user.email)
        condition |= Q(Exists(invited))
    return condition


def visibility_condition(user):
    # A draft is private to its authors until it is submitted; a dossier withdrawn after submission stays
    # visible to staff, for the record.
    filed = Q(submitted_at__isnull=False)
    if user.role == Role.PORTEUR:
        return editor_condition(user)
    if user.role in (Role.INSTRUCTEUR, Role.ADMINISTRATEUR):
        return filed
    if user.role == Role.PARTENAIRE:
        return filed & Q(region__in=user.regions.values("pk"))
    scope = _ROLE_SCOPES.get(user.role)
    return filed & scope(user) if scope is not None else NOTHING
