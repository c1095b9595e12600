"""The main navigation, by role (DESIGN §2). Pure data: no query is made to build it."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ptce_ami.accounts.enums import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    prefix: str = ""  # the item is "current" on every page under this path

    def url(self):
        return reverse(self.url_name)


HOME = NavItem(_("Accueil"), "site:home")
CALL = NavItem(_("L'appel à manifestation d'intérêt"), "site:call", prefix="/appel/")
DASHBOARD_LABELS = {
    Role.PORTEUR: _("Mes dossiers"),
    Role.EVALUATEUR: _("Mes évaluations"),
    Role.PARTENAIRE: _("Ma région"),
    Role.INSTRUCTEUR: _("Instruction"),
    Role.ADMINISTRATEUR: _("Instruction"),
}


def items_for(user):
    items = [HOME, CALL]
    if not user.is_authenticated:
        return items
    items.append(NavItem(DASHBOARD_LABELS[user.role], "site:dashboard", prefix="/espace/"))
    if user.is_staff:
        items.append(NavItem(_("Administration"), "admin:index", prefix="/admin/"))
    items.append(NavItem(_("Mon compte"), "accounts:profile", prefix="/compte/"))
    return items


def build(request):
    path = request.path
    entries = []
    for item in items_for(request.user):
        url = item.url()
        current = path == url or bool(item.prefix and path.startswith(item.prefix))
        entries.append({"label": item.label, "url": url, "current": current})
    return entries
