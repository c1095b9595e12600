from django.db import models
from django.utils.translation import gettext_lazy as _

from territories.enums import CommuneKind, EPCIKind, PlaceKind, Zone


def commune_place_id(code, kind):
    """ "commune:69123"; other kinds carry their kind, since a commune déléguée may share its parent's code."""
    if kind == CommuneKind.CURRENT:
        return f"{PlaceKind.COMMUNE}:{code}"
    return f"{PlaceKind.COMMUNE}:{code}:{kind}"


class Region(models.Model):
    code = models.CharField(_("code INSEE"), max_length=3, primary_key=True)
    name = models.CharField(_("nom"), max_length=100)
    zone = models.CharField(_("zone"), max_length=5, choices=Zone.choices)
    cress_name = models.CharField(_("CRESS"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("région")
        verbose_name_plural = _("régions")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Departement(models.Model):
    code = models.CharField(_("code INSEE"), max_length=3, primary_key=True)
    name = models.CharField(_("nom"), max_length=100)
    region = models.ForeignKey(Region, verbose_name=_("région"), on_delete=models.PROTECT, related_name="departements")
    search_name = models.CharField(_("nom normalisé"), max_length=100, editable=False)
    population = models.PositiveIntegerField(
        _("population"), null=True, blank=True, help_text=_("somme des populations de ses communes")
    )

    class Meta:
        verbose_name = _("département")
        verbose_name_plural = _("départements")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def place_id(self):
        return f"{PlaceKind.DEPARTEMENT}:{self.code}"


class EPCI(models.Model):
    siren = models.CharField(_("SIREN"), max_length=9, primary_key=True)
    name = models.CharField(_("nom"), max_length=150)
    kind = models.CharField(_("nature"), max_length=5, choices=EPCIKind.choices)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    search_name = models.CharField(_("nom normalisé"), max_length=150, editable=False)

    class Meta:
        verbose_name = _("EPCI")
        verbose_name_plural = _("EPCI")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def place_id(self):
        return f"{PlaceKind.EPCI}:{self.siren}"


class Commune(models.Model):
    code = models.CharField(_("code INSEE"), max_length=5)
    kind = models.CharField(_("type"), max_length=24, choices=CommuneKind.choices, default=CommuneKind.CURRENT)
    name = models.CharField(_("nom"), max_length=100)
    # Not indexed on purpose: the autocomplete also matches word prefixes inside names (LIKE '% x%'), which no
    # B-tree serves, so PostgreSQL scans the 37,590 rows anyway (≈ 6 ms, see bench/territories.py). If the
    # table grew, a pg_trgm GIN index would be the next step (it needs CREATE EXTENSION rights).
    search_name = models.CharField(_("nom normalisé"), max_length=100, editable=False)
    departement = models.ForeignKey(
        Departement, verbose_name=_("département"), on_delete=models.PROTECT, related_name="communes"
    )
    epci = models.ForeignKey(
        EPCI, verbose_name=_("EPCI"), on_delete=models.SET_NULL, null=True, blank=True, related_name="communes"
    )
    # A commune déléguée or associée belongs to a commune nouvelle; a municipal district to Paris, Lyon or Marseille.
    parent = models.ForeignKey(
        "self",
        verbose_name=_("commune de rattachement"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    postcodes = models.CharField(
        _("codes postaux"), max_length=200, blank=True, help_text=_("séparés par des espaces")
    )

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["code", "kind"], name="commune_unique_code_kind")]

    def __str__(self):
        return f"{self.name} ({self.departement_id})"

    @property
    def place_id(self):
        return commune_place_id(self.code, self.kind)


class ReferentialVersion(models.Model):
    """Which edition of the referential is loaded, so that pages and exports can cite it."""

    source = models.CharField(_("source"), max_length=100)
    year = models.PositiveSmallIntegerField(_("millésime"))
    checksum = models.CharField(_("empreinte SHA-256 du fichier"), max_length=64)
    loaded_at = models.DateTimeField(_("chargé le"), auto_now=True)

    class Meta:
        verbose_name = _("version du référentiel")
        verbose_name_plural = _("versions du référentiel")
        get_latest_by = "loaded_at"

    def __str__(self):
        return f"{self.source} {self.year}"
