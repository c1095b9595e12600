"""Permissions of the applications app (django-rules). Scoping comes first (Dossier.objects.visible_to):
these predicates decide what a user who can see a dossier may do with it.
"""

import rules
from django.utils.translation import gettext_lazy as _

from applications.enums import DossierState
from ptce_ami.accounts.permissions import add_action, add_perm
from ptce_ami.accounts.rules import is_instructeur, is_partenaire_of_region, is_porteur


@rules.predicate
def is_dossier_owner(user, dossier):
    """The porteur who created the dossier. Only porteur accounts act on dossiers as porteurs: an account whose
    role staff changed (to évaluateur, say) no longer does."""
    return bool(is_porteur(user) and dossier is not None and dossier.owner_id == user.pk)


@rules.predicate
def is_dossier_editor(user, dossier):
    """The owner, or a porteur invited as co-editor at their confirmed address."""
    if not (is_porteur(user) and dossier is not None and dossier.pk):
        return False
    if dossier.owner_id == user.pk:
        return True
    return user.email_confirmed and dossier.invitations.filter(email=user.email).exists()


@rules.predicate
def dossier_is_editable(user, dossier):
    return dossier is not None and dossier.is_editable_by_porteur()


@rules.predicate
def dossier_is_draft(user, dossier):
    return dossier is not None and dossier.state == DossierState.DRAFT


@rules.predicate
def dossier_awaits_corrections(user, dossier):
    return dossier is not None and dossier.state == DossierState.CORRECTIONS_REQUESTED


@rules.predicate
def dossier_is_withdrawable(user, dossier):
    return dossier is not None and dossier.state in DossierState.withdrawable()


@rules.predicate
def is_partenaire_of_dossier_region(user, dossier):
    return dossier is not None and is_partenaire_of_region(user, dossier.region_id)


@rules.predicate
def dossier_was_submitted(user, dossier):
    return dossier is not None and dossier.submitted_at is not None


@rules.predicate
def dossier_is_withdrawn(user, dossier):
    return dossier is not None and dossier.state == DossierState.WITHDRAWN


@rules.predicate
def dossier_is_under_instruction(user, dossier):
    return dossier is not None and dossier.state in DossierState.under_instruction()


@rules.predicate
def dossier_may_continue_in_phase2(user, dossier):
    """A phase-1 laureate, or a phase-1 dossier filed and in the running (phase 2 filed in the same edition)."""
    return dossier is not None and dossier.may_continue_in_phase2


is_dossier_staff = is_instructeur | is_partenaire_of_dossier_region

add_perm(
    "applications.create_dossier",
    is_porteur,
    refusal=_("Seuls les comptes de porteurs de projet créent des dossiers (inscription sur la page d'accueil)."),
)
# The staff pages of a dossier (requesting corrections…): the staff who follow it, once it is submitted.
rules.add_perm("applications.view_as_staff", is_dossier_staff & dossier_was_submitted)
# A file a porteur removed stays in the versions that cite it: State staff still download it.
rules.add_perm("applications.view_removed_attachments", is_instructeur)
rules.add_perm("applications.view_eligibility", is_dossier_staff & dossier_was_submitted)
rules.add_perm("applications.run_eligibility", is_dossier_staff & dossier_was_submitted)
# Decision letters are staff documents until the committee publishes them; receipts are the porteur's at once.
rules.add_perm("applications.view_unpublished_notices", is_dossier_staff & dossier_was_submitted)
# The porteurs' actions: who (the actor) and when (the dossier's state). An actor who comes too late is told that
# the action was already done; anyone else gets a 403 (accounts.permissions.require_action).
ONLY_EDITORS = _("Seuls le titulaire du dossier et les co-éditeurs qu'il a invités peuvent le modifier.")
ONLY_OWNER = _(
    "Seul le titulaire du dossier peut le déposer, le retirer ou inviter des co-éditeurs ; l'équipe d'instruction "
    "ne le fait jamais à sa place."
)
add_action("applications.change_dossier", actor=is_dossier_editor, when=dossier_is_editable, refusal=ONLY_EDITORS)
add_action("applications.submit_dossier", actor=is_dossier_owner, when=dossier_is_draft, refusal=ONLY_OWNER)
add_action(
    "applications.resubmit_dossier", actor=is_dossier_owner, when=dossier_awaits_corrections, refusal=ONLY_OWNER
)
add_action("applications.withdraw_dossier", actor=is_dossier_owner, when=dossier_is_withdrawable, refusal=ONLY_OWNER)
add_action("applications.invite_coeditor", actor=is_dossier_owner, when=dossier_is_editable, refusal=ONLY_OWNER)
# The owner of a phase-1 laureate (or of a phase-1 dossier filed in the same edition) starts its phase-2 dossier.
add_perm(
    "applications.start_phase2",
    is_dossier_owner & dossier_may_continue_in_phase2,
    refusal=_(
        "Seul le titulaire d'un dossier de phase 1 lauréat, ou déposé dans la même édition, démarre à partir de lui "
        "un dossier de phase 2."
    ),
)
# The porteurs' pages of a dossier (editing steps, summary, co-editors): its owner and co-editors.
add_perm("applications.edit_as_porteur", is_dossier_editor, refusal=ONLY_EDITORS)

# Configuration of the call in the Django admin: State staff only.
rules.add_perm("applications", is_instructeur)
for model in ("edition", "phase", "sector", "label"):
    for action in ("view", "add", "change"):
        rules.add_perm(f"applications.{action}_{model}", is_instructeur)
# A phase's schedule of tranches and its reports, edited with the phase.
for model in ("paymentstage", "reportrequirement"):
    for action in ("view", "add", "change", "delete"):
        rules.add_perm(f"applications.{action}_{model}", is_instructeur)


# The laureate history behind rule R07 (and the phase-1 laureates selected before the platform): State staff complete
# it in the Django admin and import lists (CSV/XLSX); a record a porteur has claimed is kept.
@rules.predicate
def laureate_is_claimed(user, record):
    return bool(getattr(record, "is_claimed", False))


for action in ("view", "add", "change", "import"):
    rules.add_perm(f"applications.{action}_laureaterecord", is_instructeur)
rules.add_perm("applications.delete_laureaterecord", is_instructeur & ~laureate_is_claimed)

# PDF notices in the Django admin: instructeurs follow their production and queue failed ones again.
rules.add_perm("applications.view_notice", is_instructeur)
rules.add_perm("applications.change_notice", is_instructeur)

# The e-mails sent about a dossier (its page's history): the staff who follow it.
rules.add_perm("applications.view_dossier_emails", is_dossier_staff & dossier_was_submitted)

# The message thread (DESIGN §4): the porteur's side and the staff who follow the dossier, once it is submitted
# (staff never see drafts). Reviewers are not part of it. A withdrawn dossier's thread stays readable, closed.
follows_thread = (is_dossier_editor | is_dossier_staff) & dossier_was_submitted
rules.add_perm("applications.view_messages", follows_thread)
add_perm(
    "applications.post_message",
    follows_thread & ~dossier_is_withdrawn,
    refusal=_("Ce dossier est retiré : sa messagerie reste lisible mais n'accepte plus de message."),
)
# DESIGN §5: instructeurs and the partners of the dossier's region request corrections.
add_action(
    "applications.request_corrections",
    actor=is_dossier_staff & dossier_was_submitted,
    when=dossier_is_under_instruction,
)

# Labels are managed by State staff; messages are read in the admin, never changed there.
rules.add_perm("applications.delete_label", is_instructeur)
rules.add_perm("applications.view_message", is_instructeur)


# The person's rights: their data, and their account -------------------------------------------------------------


@rules.predicate
def has_no_filed_dossier(user):
    """No dossier of theirs (owned) was ever submitted: once filed, a dossier is kept for its retention period."""
    return bool(user.is_authenticated) and not user.dossiers.filter(submitted_at__isnull=False).exists()


add_perm("applications.download_own_data", rules.is_authenticated & rules.is_active)
add_perm(
    "applications.delete_own_account",
    is_porteur & has_no_filed_dossier,
    refusal=_("Votre compte ne peut pas être supprimé en ligne."),
)
