"""The main navigation, by role (DESIGN §2). Pure data, but for one query: a regional partner's regions, one
dashboard each."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ptce_ami.accounts.enums import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    prefix: str = ""  # the item is "current" on every page under this path
    args: tuple = ()

    def url(self):
        return reverse(self.url_name, args=self.args)


HOME = NavItem(_("Accueil"), "site:home")
CALL = NavItem(_("L'appel"), "site:call", prefix="/appel/")
LAUREATES = NavItem(_("Lauréats"), "site:laureates", prefix="/laureats/")
DASHBOARD_LABELS = {
    Role.PORTEUR: _("Mes dossiers"),
    Role.EVALUATEUR: _("Mes évaluations"),
    Role.PARTENAIRE: _("Ma région"),
    Role.INSTRUCTEUR: _("Instruction"),
    Role.ADMINISTRATEUR: _("Instruction"),
}


# The pages of the instruction and evaluation (reviews app), by role.
ROLE_ITEMS = {
    Role.EVALUATEUR: [
        NavItem(_("Dossiers à évaluer"), "reviews:queue", prefix="/instruction/evaluations/"),
        NavItem(_("Déclaration d'intérêts"), "reviews:declaration", prefix="/instruction/affectations/declaration/"),
    ],
    Role.PARTENAIRE: [
        NavItem(_("Dossiers de ma région"), "reviews:dossier_list", prefix="/instruction/"),
        NavItem(_("Avis régionaux"), "reviews:regional_opinions", prefix="/instruction/evaluations/avis-regionaux/"),
        NavItem(_("Bouquet de services"), "reviews:bouquet_requests", prefix="/instruction/bouquet/"),
        NavItem(_("Aides"), "reviews:grant_list", prefix="/instruction/aides/"),
    ],
    Role.INSTRUCTEUR: [
        NavItem(_("Dossiers"), "reviews:dossier_list", prefix="/instruction/"),
        NavItem(_("Évaluateurs"), "reviews:reviewers", prefix="/instruction/affectations/"),
        NavItem(_("Comité de sélection"), "reviews:committee", prefix="/instruction/comite/"),
        NavItem(_("Bouquet de services"), "reviews:bouquet_requests", prefix="/instruction/bouquet/"),
        NavItem(_("Aides"), "reviews:grant_list", prefix="/instruction/aides/"),
    ],
}
ROLE_ITEMS[Role.INSTRUCTEUR].insert(
    0, NavItem(_("Tableau de bord"), "site:national_dashboard", prefix="/tableau-de-bord/")
)
ROLE_ITEMS[Role.ADMINISTRATEUR] = ROLE_ITEMS[Role.INSTRUCTEUR]


def region_dashboards(user):
    """A partner's dashboards, one per region (the label names the region when there are several)."""
    regions = list(user.regions.order_by("name").values_list("code", "name"))
    return [
        NavItem(
            _("Tableau de bord : %(region)s") % {"region": name} if len(regions) > 1 else _("Tableau de bord"),
            "site:region_dashboard",
            prefix=f"/tableau-de-bord/regions/{code}/",
            args=(code,),
        )
        for code, name in regions
    ]


def items_for(user):
    items = [HOME, CALL, LAUREATES]
    if not user.is_authenticated:
        return items
    items.append(NavItem(DASHBOARD_LABELS[user.role], "site:dashboard", prefix="/espace/"))
    if user.role == Role.PARTENAIRE:
        items.extend(region_dashboards(user))
    items.extend(ROLE_ITEMS.get(user.role, []))
    if user.is_staff:
        items.append(NavItem(_("Administration"), "admin:index", prefix="/admin/"))
    items.append(NavItem(_("Mon compte"), "accounts:profile", prefix="/compte/"))
    return items


def build(request):
    """The entries of the main navigation; the current one is the item whose URL or longest prefix matches."""
    path = request.path
    items = [(item, item.url()) for item in items_for(request.user)]
    matches = [
        (len(item.prefix) if item.prefix and path.startswith(item.prefix) else len(url) + 1, url)
        for item, url in items
        if path == url or (item.prefix and path.startswith(item.prefix))
    ]
    current = max(matches)[1] if matches else None
    return [{"label": item.label, "url": url, "current": url == current} for item, url in items]
