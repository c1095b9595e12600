"""What the rules read, loaded lazily and once: a handful of queries whatever the number of members."""

from functools import cached_property

from django.utils import timezone

from applications.eligibility.laureates import load_history
from applications.enums import MemberRole
from territories.models import Commune
from territories.places import TerritorySelection


class EligibilityContext:
    """The dossier and its parts. Lists given by the caller (already loaded) are used as they are.

    ``members`` should come with their commune loaded (``select_related("commune")``); missing parents of
    communes déléguées or districts are fetched in one query. ``budget_lines`` (rule R11) are the dossier's
    BudgetLine rows unless given.
    """

    def __init__(
        self, dossier, *, members=None, attachments=None, territory=None, now=None, budget_lines=None, history=None
    ):
        self.dossier = dossier
        self.now = now or timezone.now()
        self._given = {
            "members": members,
            "attachments": attachments,
            "territory": territory,
            "history": history,
            "budget_lines": budget_lines,
        }

    @cached_property
    def phase(self):
        return self.dossier.phase

    @cached_property
    def members(self):
        members = self._given["members"]
        if members is None:
            members = list(self.dossier.members.select_related("commune__parent"))
        load_missing_parents([member.commune for member in members if member.commune_id])
        return list(members)

    @cached_property
    def lead(self):
        return next((member for member in self.members if member.role == MemberRole.LEAD), None)

    @cached_property
    def attachments(self):
        attachments = self._given["attachments"]
        if attachments is None:
            attachments = self.dossier.attachments.current()
        return list(attachments)

    @cached_property
    def territory(self):
        territory = self._given["territory"]
        if territory is None:
            territory = TerritorySelection(
                communes=list(self.dossier.communes.all()),
                epcis=list(self.dossier.epcis.all()),
                departements=list(self.dossier.departements.all()),
            )
        return territory

    @cached_property
    def budget_lines(self):
        lines = self._given["budget_lines"]
        return list(self.dossier.budget_lines.all()) if lines is None else list(lines)

    @cached_property
    def continued(self):
        """The phase-1 dossier this one continues, with its phase and edition, or None."""
        if not self.dossier.continues_id:
            return None
        manager = type(self.dossier)._default_manager
        return manager.select_related("phase__edition").filter(pk=self.dossier.continues_id).first()

    @cached_property
    def prior_laureate(self):
        """The phase-1 laureate of an earlier edition (LaureateRecord) claimed for this dossier, or None."""
        return self.dossier.prior_laureate if self.dossier.prior_laureate_id else None

    @cached_property
    def history(self):
        history = self._given["history"]
        return load_history() if history is None else history


def load_missing_parents(communes):
    """Fill the parent of communes déléguées and districts in one query when the caller did not load it."""
    missing = [commune for commune in communes if commune.parent_id and not Commune.parent.is_cached(commune)]
    if not missing:
        return
    parents = Commune.objects.in_bulk({commune.parent_id for commune in missing})
    for commune in missing:
        if commune.parent_id in parents:
            Commune.parent.field.set_cached_value(commune, parents[commune.parent_id])
