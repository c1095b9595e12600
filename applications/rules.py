"""Permissions of the applications app (django-rules). Scoping comes first (Dossier.objects.visible_to):
these predicates decide what a user who can see a dossier may do with it.
"""

import rules

from applications.enums import DossierState
from ptce_ami.accounts.rules import is_instructeur, is_partenaire_of_region, is_porteur


@rules.predicate
def is_dossier_owner(user, dossier):
    return bool(user and user.is_authenticated and dossier is not None and dossier.owner_id == user.pk)


@rules.predicate
def is_dossier_editor(user, dossier):
    """The owner, or a co-editor invited at the user's confirmed address."""
    if not (user and user.is_authenticated and dossier is not None and dossier.pk):
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
    return dossier is not None and dossier.state in (DossierState.SUBMITTED, DossierState.IN_REVIEW)


is_dossier_staff = is_instructeur | is_partenaire_of_dossier_region

rules.add_perm("applications.create_dossier", is_porteur)
rules.add_perm("applications.view_eligibility", is_dossier_staff & dossier_was_submitted)
rules.add_perm("applications.run_eligibility", is_dossier_staff & dossier_was_submitted)
# Decision letters are staff documents until the committee publishes them; receipts are the porteur's at once.
rules.add_perm("applications.view_unpublished_notices", is_dossier_staff & dossier_was_submitted)
rules.add_perm("applications.change_dossier", is_dossier_editor & dossier_is_editable)
rules.add_perm("applications.submit_dossier", is_dossier_owner & dossier_is_draft)
rules.add_perm("applications.resubmit_dossier", is_dossier_owner & dossier_awaits_corrections)
rules.add_perm("applications.withdraw_dossier", is_dossier_owner & dossier_is_withdrawable)
rules.add_perm("applications.invite_coeditor", is_dossier_owner & dossier_is_editable)

# Configuration of the call in the Django admin: State staff only.
rules.add_perm("applications", is_instructeur)
for model in ("edition", "phase", "sector", "label"):
    for action in ("view", "add", "change"):
        rules.add_perm(f"applications.{action}_{model}", is_instructeur)

# PDF notices in the Django admin: instructeurs follow their production and queue failed ones again.
rules.add_perm("applications.view_notice", is_instructeur)
rules.add_perm("applications.change_notice", is_instructeur)

# The e-mails sent about a dossier (its page's history): the staff who follow it.
rules.add_perm("applications.view_dossier_emails", is_dossier_staff & dossier_was_submitted)

# The message thread (DESIGN §4): the porteur's side and the staff who follow the dossier, once it is submitted
# (staff never see drafts). Reviewers are not part of it. A withdrawn dossier's thread stays readable, closed.
follows_thread = (is_dossier_editor | is_dossier_staff) & dossier_was_submitted
rules.add_perm("applications.view_messages", follows_thread)
rules.add_perm("applications.post_message", follows_thread & ~dossier_is_withdrawn)
rules.add_perm("applications.request_corrections", is_dossier_staff & dossier_is_under_instruction)

# Labels are managed by State staff; messages are read in the admin, never changed there.
rules.add_perm("applications.delete_label", is_instructeur)
rules.add_perm("applications.view_message", is_instructeur)
