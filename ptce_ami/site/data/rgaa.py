# ruff: noqa: E501 (a data table: one criterion per line, the RGAA titles verbatim)
"""The RGAA 4.1 audit of the service: one row per criterion (106), the single source of the accessibility declaration
page (site/pages/accessibility.html) and of docs/rgaa-audit.md.

Status: C (conforme), NC (non conforme), NA (non applicable), NT (non testé: counted as not conform in the rate,
since a declaration may only claim what was checked). Method: axe (checked on every journey by axe-core), manual (by
hand in Chromium, see docs/rgaa-audit.md), code (review of the templates and static files).
"""

import dataclasses
import datetime

from django.utils.translation import gettext_lazy as _

AUDIT_DATE = datetime.date(2026, 12, 6)
RGAA_VERSION = "4.1"

C, NC, NA, NT = "C", "NC", "NA", "NT"
METHOD_LABELS = {
    "axe": _("automatique (axe-core) et manuelle"),
    "manual": _("manuelle"),
    "code": _("revue du code"),
}
STATUS_LABELS = {C: _("conforme"), NC: _("non conforme"), NA: _("non applicable"), NT: _("non testé")}

THEMES = {
    1: "Images",
    2: "Cadres",
    3: "Couleurs",
    4: "Multimédia",
    5: "Tableaux",
    6: "Liens",
    7: "Scripts",
    8: "Éléments obligatoires",
    9: "Structuration de l'information",
    10: "Présentation de l'information",
    11: "Formulaires",
    12: "Navigation",
    13: "Consultation",
}


@dataclasses.dataclass(frozen=True)
class Criterion:
    number: str
    title: str
    status: str
    method: str
    note: str = ""

    @property
    def theme(self):
        return THEMES[int(self.number.split(".")[0])]

    @property
    def method_label(self):
        return METHOD_LABELS[self.method]

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]


def _c(number, title, status, method, note=""):
    return Criterion(number, title, status, method, note)


CRITERIA = [
    # 1. Images: the DSFR pictograms are decorative (aria-hidden), the Marianne logo carries its text.
    _c(
        "1.1",
        "Chaque image porteuse d'information a-t-elle une alternative textuelle ?",
        C,
        "axe",
        "image-alt, svg-img-alt, role-img-alt, input-image-alt, area-alt",
    ),
    _c(
        "1.2",
        "Chaque image de décoration est-elle correctement ignorée par les technologies d'assistance ?",
        C,
        "code",
        "icônes DSFR en pseudo-éléments CSS ; aucune balise img décorative",
    ),
    _c(
        "1.3",
        "Pour chaque image porteuse d'information ayant une alternative textuelle, cette alternative est-elle pertinente ?",
        C,
        "manual",
    ),
    _c(
        "1.4",
        "Pour chaque image utilisée comme CAPTCHA ou comme image-test, l'alternative textuelle permet-elle d'identifier la nature et la fonction de l'image ?",
        NA,
        "code",
        "aucun CAPTCHA",
    ),
    _c(
        "1.5",
        "Pour chaque image utilisée comme CAPTCHA, une solution d'accès alternatif au contenu ou à la fonction du CAPTCHA est-elle présente ?",
        NA,
        "code",
        "aucun CAPTCHA",
    ),
    _c(
        "1.6",
        "Chaque image porteuse d'information a-t-elle, si nécessaire, une description détaillée ?",
        C,
        "manual",
        "les graphiques des tableaux de bord sont doublés de tableaux et de fichiers CSV",
    ),
    _c(
        "1.7",
        "Pour chaque image porteuse d'information ayant une description détaillée, cette description est-elle pertinente ?",
        C,
        "manual",
    ),
    _c(
        "1.8",
        "Chaque image texte porteuse d'information, en l'absence d'un mécanisme de remplacement, doit si possible être remplacée par du texte stylé. Cette règle est-elle respectée ?",
        C,
        "code",
        "aucune image texte",
    ),
    _c(
        "1.9",
        "Chaque légende d'image est-elle, si nécessaire, correctement reliée à l'image correspondante ?",
        NA,
        "code",
        "aucune image légendée",
    ),
    # 2. Frames
    _c("2.1", "Chaque cadre a-t-il un titre de cadre ?", NA, "code", "aucun cadre (iframe)"),
    _c(
        "2.2",
        "Pour chaque cadre ayant un titre de cadre, ce titre de cadre est-il pertinent ?",
        NA,
        "code",
        "aucun cadre (iframe)",
    ),
    # 3. Colours
    _c(
        "3.1",
        "Dans chaque page web, l'information ne doit pas être donnée uniquement par la couleur. Cette règle est-elle respectée ?",
        C,
        "axe",
        "link-in-text-block ; états des dossiers écrits en toutes lettres dans les badges",
    ),
    _c(
        "3.2",
        "Dans chaque page web, le contraste entre la couleur du texte et la couleur de son arrière-plan est-il suffisamment élevé ?",
        C,
        "axe",
        "color-contrast, thèmes clair et sombre",
    ),
    _c(
        "3.3",
        "Dans chaque page web, les couleurs utilisées dans les composants d'interface ou les éléments graphiques porteurs d'informations sont-elles suffisamment contrastées ?",
        C,
        "manual",
        "contraste ≥ 3:1 des barres, segments, axes et contours des cartes des tableaux de bord avec leur fond, thèmes clair et sombre (couleurs calculées dans Chromium, 420 éléments par thème)",
    ),
    # 4. Multimedia: the service publishes no audio or video.
    *[
        _c(f"4.{n}", title, NA, "code", "aucun média temporel ni non temporel")
        for n, title in enumerate(
            [
                "Chaque média temporel pré-enregistré a-t-il, si nécessaire, une transcription textuelle ou une audiodescription ?",
                "Pour chaque média temporel pré-enregistré ayant une transcription textuelle ou une audiodescription synchronisée, celles-ci sont-elles pertinentes ?",
                "Chaque média temporel synchronisé pré-enregistré a-t-il, si nécessaire, des sous-titres synchronisés ?",
                "Pour chaque média temporel synchronisé pré-enregistré ayant des sous-titres synchronisés, ces sous-titres sont-ils pertinents ?",
                "Chaque média temporel pré-enregistré a-t-il, si nécessaire, une audiodescription synchronisée ?",
                "Pour chaque média temporel pré-enregistré ayant une audiodescription synchronisée, celle-ci est-elle pertinente ?",
                "Chaque média temporel est-il clairement identifiable ?",
                "Chaque média non temporel a-t-il, si nécessaire, une alternative ?",
                "Pour chaque média non temporel ayant une alternative, cette alternative est-elle pertinente ?",
                "Chaque son déclenché automatiquement est-il contrôlable par l'utilisateur ?",
                "La consultation de chaque média temporel est-elle, si nécessaire, contrôlable par le clavier et tout dispositif de pointage ?",
                "La consultation de chaque média non temporel est-elle contrôlable par le clavier et tout dispositif de pointage ?",
                "Chaque média temporel et non temporel est-il compatible avec les technologies d'assistance ?",
            ],
            start=1,
        )
    ],
    # 5. Tables
    _c(
        "5.1",
        "Chaque tableau de données complexe a-t-il un résumé ?",
        NA,
        "code",
        "aucun tableau complexe (en-têtes sur une ligne et une colonne au plus)",
    ),
    _c("5.2", "Pour chaque tableau de données complexe ayant un résumé, celui-ci est-il pertinent ?", NA, "code"),
    _c(
        "5.3",
        "Pour chaque tableau de mise en forme, le contenu linéarisé reste-t-il compréhensible ?",
        NA,
        "code",
        "aucun tableau de mise en forme",
    ),
    _c(
        "5.4",
        "Pour chaque tableau de données ayant un titre, le titre est-il correctement associé au tableau de données ?",
        C,
        "code",
        "caption DSFR",
    ),
    _c("5.5", "Pour chaque tableau de données ayant un titre, celui-ci est-il pertinent ?", C, "manual"),
    _c(
        "5.6",
        "Pour chaque tableau de données, chaque en-tête de colonne et chaque en-tête de ligne sont-ils correctement déclarés ?",
        C,
        "axe",
        "th-has-data-cells, td-headers-attr",
    ),
    _c(
        "5.7",
        "Pour chaque tableau de données, la technique appropriée permettant d'associer chaque cellule avec ses en-têtes est-elle utilisée ?",
        C,
        "axe",
        "td-has-header, scope-attr-valid",
    ),
    _c(
        "5.8",
        "Chaque tableau de mise en forme ne doit pas utiliser d'éléments propres aux tableaux de données. Cette règle est-elle respectée ?",
        NA,
        "code",
    ),
    # 6. Links
    _c(
        "6.1",
        "Chaque lien est-il explicite ?",
        C,
        "manual",
        "liens « Ouvrir » complétés par un intitulé caché nommant le dossier",
    ),
    _c("6.2", "Dans chaque page web, chaque lien a-t-il un intitulé ?", C, "axe", "link-name"),
    # 7. Scripts
    _c(
        "7.1",
        "Chaque script est-il, si nécessaire, compatible avec les technologies d'assistance ?",
        C,
        "axe",
        "aria-*, button-name ; autocomplétion des territoires en combobox ARIA",
    ),
    _c(
        "7.2",
        "Pour chaque script ayant une alternative, cette alternative est-elle pertinente ?",
        C,
        "manual",
        "chaque formulaire fonctionne sans JavaScript",
    ),
    _c(
        "7.3",
        "Chaque script est-il contrôlable par le clavier et par tout dispositif de pointage ?",
        C,
        "manual",
        "pages de l'échantillon parcourues au clavier ; autocomplétion des territoires, cartes et tableaux testés au clavier dans Chromium",
    ),
    _c(
        "7.4",
        "Pour chaque script qui initie un changement de contexte, l'utilisateur est-il averti ou en a-t-il le contrôle ?",
        C,
        "manual",
    ),
    _c(
        "7.5",
        "Dans chaque page web, les messages de statut sont-ils correctement restitués par les technologies d'assistance ?",
        C,
        "code",
        "vérifié par revue du code et tests du DOM (messages dans une zone role=status, role=alert ou aria-live présente avant leur apparition), pas avec un lecteur d'écran",
    ),
    # 8. Mandatory elements
    _c(
        "8.1",
        "Chaque page web est-elle définie par un type de document ?",
        C,
        "code",
        "<!DOCTYPE html> dans base.html",
    ),
    _c(
        "8.2",
        "Pour chaque page web, le code source généré est-il valide selon le type de document spécifié ?",
        C,
        "code",
        "Nu Html Checker (validateur du W3C) sans erreur sur 153 pages des cinq profils",
    ),
    _c("8.3", "Dans chaque page web, la langue par défaut est-elle présente ?", C, "axe", "html-has-lang"),
    _c(
        "8.4",
        "Pour chaque page web ayant une langue par défaut, le code de langue est-il pertinent ?",
        C,
        "axe",
        "html-lang-valid",
    ),
    _c("8.5", "Chaque page web a-t-elle un titre de page ?", C, "axe", "document-title"),
    _c(
        "8.6",
        "Pour chaque page web ayant un titre de page, ce titre est-il pertinent ?",
        C,
        "manual",
        "le titre nomme la page, l'étape et le service",
    ),
    _c(
        "8.7",
        "Dans chaque page web, chaque changement de langue est-il indiqué dans le code source ?",
        C,
        "code",
        "aucun passage en langue étrangère",
    ),
    _c(
        "8.8",
        "Dans chaque page web, le code de langue de chaque changement de langue est-il valide et pertinent ?",
        C,
        "axe",
        "valid-lang",
    ),
    _c(
        "8.9",
        "Dans chaque page web, les balises ne doivent pas être utilisées uniquement à des fins de présentation. Cette règle est-elle respectée ?",
        C,
        "code",
    ),
    _c(
        "8.10",
        "Dans chaque page web, les changements du sens de lecture sont-ils signalés ?",
        NA,
        "code",
        "aucun texte de droite à gauche",
    ),
    # 9. Structure
    _c(
        "9.1",
        "Dans chaque page web, l'information est-elle structurée par l'utilisation appropriée de titres ?",
        C,
        "axe",
        "page-has-heading-one, heading-order (vérifié à la main)",
    ),
    _c(
        "9.2",
        "Dans chaque page web, la structure du document est-elle cohérente ?",
        C,
        "axe",
        "landmark-one-main, region, landmark-unique",
    ),
    _c(
        "9.3",
        "Dans chaque page web, chaque liste est-elle correctement structurée ?",
        C,
        "axe",
        "list, listitem, definition-list",
    ),
    _c("9.4", "Dans chaque page web, chaque citation est-elle correctement indiquée ?", NA, "code", "aucune citation"),
    # 10. Presentation
    _c(
        "10.1",
        "Dans le site web, des feuilles de styles sont-elles utilisées pour contrôler la présentation de l'information ?",
        C,
        "code",
    ),
    _c(
        "10.2",
        "Dans chaque page web, le contenu visible porteur d'information reste-t-il présent lorsque les feuilles de styles sont désactivées ?",
        C,
        "manual",
    ),
    _c(
        "10.3",
        "Dans chaque page web, l'information reste-t-elle compréhensible lorsque les feuilles de styles sont désactivées ?",
        C,
        "manual",
    ),
    _c(
        "10.4",
        "Dans chaque page web, le texte reste-t-il lisible lorsque la taille des caractères est augmentée jusqu'à 200 %, au moins ?",
        C,
        "manual",
        "zoom 200 % dans Chromium",
    ),
    _c(
        "10.5",
        "Dans chaque page web, les déclarations CSS de couleurs de fond d'élément et de police sont-elles correctement utilisées ?",
        C,
        "code",
        "DSFR",
    ),
    _c(
        "10.6",
        "Dans chaque page web, chaque lien dont la nature n'est pas évidente est-il visible par rapport au texte environnant ?",
        C,
        "axe",
        "link-in-text-block",
    ),
    _c(
        "10.7",
        "Dans chaque page web, pour chaque élément recevant le focus, la prise de focus est-elle visible ?",
        C,
        "manual",
        "contour de focus DSFR, testé au clavier",
    ),
    _c(
        "10.8",
        "Pour chaque page web, les contenus cachés ont-ils vocation à être ignorés par les technologies d'assistance ?",
        C,
        "axe",
        "aria-hidden-focus",
    ),
    _c(
        "10.9",
        "Dans chaque page web, l'information ne doit pas être donnée uniquement par la forme, taille ou position. Cette règle est-elle respectée ?",
        C,
        "manual",
    ),
    _c(
        "10.10",
        "Dans chaque page web, l'information ne doit pas être donnée par la forme, taille ou position uniquement. Cette règle est-elle implémentée de façon pertinente ?",
        C,
        "manual",
    ),
    _c(
        "10.11",
        "Pour chaque page web, les contenus peuvent-ils être présentés sans avoir recours à un défilement vertical pour une fenêtre ayant une hauteur de 256 px ou une largeur de 320 px ?",
        C,
        "manual",
        "reflow à 320 px ; les tableaux larges défilent dans leur propre région focusable",
    ),
    _c(
        "10.12",
        "Dans chaque page web, les propriétés d'espacement du texte peuvent-elles être redéfinies par l'utilisateur sans perte de contenu ou de fonctionnalité ?",
        C,
        "manual",
        "espacements du critère WCAG 1.4.12 imposés sur 28 pages de l'échantillon à 1280 px : aucun texte coupé, pas de défilement horizontal",
    ),
    _c(
        "10.13",
        "Dans chaque page web, les contenus additionnels apparaissant à la prise de focus ou au survol d'un composant d'interface sont-ils contrôlables par l'utilisateur ?",
        C,
        "manual",
        "infobulles DSFR fermées par Échap",
    ),
    _c(
        "10.14",
        "Dans chaque page web, les contenus additionnels apparaissant via les styles CSS uniquement peuvent-ils être rendus visibles au clavier et par tout dispositif de pointage ?",
        C,
        "code",
    ),
    # 11. Forms
    _c(
        "11.1",
        "Chaque champ de formulaire a-t-il une étiquette ?",
        C,
        "axe",
        "label, select-name, aria-input-field-name",
    ),
    _c("11.2", "Chaque étiquette associée à un champ de formulaire est-elle pertinente ?", C, "manual"),
    _c(
        "11.3",
        "Dans chaque formulaire, chaque étiquette associée à un champ de formulaire ayant la même fonction et répété plusieurs fois dans une même page ou dans un ensemble de pages est-elle cohérente ?",
        C,
        "manual",
    ),
    _c(
        "11.4",
        "Dans chaque formulaire, chaque étiquette de champ et son champ associé sont-ils accolés ?",
        C,
        "manual",
    ),
    _c(
        "11.5",
        "Dans chaque formulaire, les champs de même nature sont-ils regroupés, si nécessaire ?",
        C,
        "code",
        "fieldset DSFR",
    ),
    _c(
        "11.6",
        "Dans chaque formulaire, chaque regroupement de champs de même nature a-t-il une légende ?",
        C,
        "code",
        "legend de chaque fieldset",
    ),
    _c(
        "11.7",
        "Dans chaque formulaire, chaque légende associée à un regroupement de champs de même nature est-elle pertinente ?",
        C,
        "manual",
    ),
    _c(
        "11.8",
        "Dans chaque formulaire, les items de même nature d'une liste de choix sont-ils regroupés de manière pertinente ?",
        C,
        "manual",
    ),
    _c(
        "11.9",
        "Dans chaque formulaire, l'intitulé de chaque bouton est-il pertinent ?",
        C,
        "axe",
        "button-name ; pertinence vérifiée à la main",
    ),
    _c(
        "11.10",
        "Dans chaque formulaire, le contrôle de saisie est-il utilisé de manière pertinente ?",
        C,
        "manual",
        "champs obligatoires signalés, format attendu donné, récapitulatif des erreurs relié aux champs",
    ),
    _c(
        "11.11",
        "Dans chaque formulaire, le contrôle de saisie est-il accompagné, si nécessaire, de suggestions facilitant la correction des erreurs de saisie ?",
        C,
        "manual",
    ),
    _c(
        "11.12",
        "Pour chaque formulaire qui modifie ou supprime des données, ou qui transmet des réponses à un test ou un examen, ou dont la validation a des conséquences financières ou juridiques, les données saisies peuvent-elles être modifiées, mises à jour ou récupérées par l'utilisateur ?",
        C,
        "manual",
        "récapitulatif avant dépôt, confirmation avant suppression ou retrait",
    ),
    _c(
        "11.13",
        "La finalité d'un champ de saisie peut-elle être déduite pour faciliter le remplissage automatique des champs avec les données de l'utilisateur ?",
        C,
        "axe",
        "autocomplete-valid",
    ),
    # 12. Navigation
    _c(
        "12.1",
        "Chaque ensemble de pages dispose-t-il de deux systèmes de navigation différents, au moins ?",
        C,
        "code",
        "menu principal et plan du site",
    ),
    _c(
        "12.2",
        "Dans chaque ensemble de pages, le menu et les barres de navigation sont-ils toujours à la même place ?",
        C,
        "code",
        "gabarit commun base.html",
    ),
    _c("12.3", "La page « plan du site » est-elle pertinente ?", C, "manual"),
    _c(
        "12.4",
        "Dans chaque ensemble de pages, la page « plan du site » est-elle accessible à partir d'une fonctionnalité identique ?",
        C,
        "code",
        "lien du pied de page",
    ),
    _c(
        "12.5",
        "Dans chaque ensemble de pages, le moteur de recherche est-il atteignable de manière identique ?",
        NA,
        "code",
        "pas de moteur de recherche",
    ),
    _c(
        "12.6",
        "Les zones de regroupement de contenus présentes dans plusieurs pages web peuvent-elles être atteintes ou évitées ?",
        C,
        "axe",
        "landmarks ; liens d'évitement",
    ),
    _c(
        "12.7",
        "Dans chaque page web, un lien d'évitement ou d'accès rapide à la zone de contenu principal est-il présent ?",
        C,
        "axe",
        "skip-link, bypass",
    ),
    _c(
        "12.8",
        "Dans chaque page web, l'ordre de tabulation est-il cohérent ?",
        C,
        "manual",
        "tabindex positif interdit (axe tabindex)",
    ),
    _c(
        "12.9",
        "Dans chaque page web, la navigation ne doit pas contenir de piège au clavier. Cette règle est-elle respectée ?",
        C,
        "manual",
        "modales DSFR fermées par Échap",
    ),
    _c(
        "12.10",
        "Dans chaque page web, les raccourcis clavier n'utilisant qu'une seule touche sont-ils contrôlables par l'utilisateur ?",
        NA,
        "code",
        "aucun raccourci clavier",
    ),
    _c(
        "12.11",
        "Dans chaque page web, les contenus additionnels apparaissant au survol, à la prise de focus ou à l'activation d'un composant d'interface sont-ils atteignables au clavier ?",
        C,
        "manual",
    ),
    # 13. Consultation
    _c(
        "13.1",
        "Pour chaque page web, l'utilisateur a-t-il le contrôle de chaque limite de temps modifiant le contenu ?",
        C,
        "manual",
        "la session expire après 30 minutes (agents) ou 2 heures d'inactivité : une fenêtre avertit 2 minutes avant et permet de rester connecté (tests/browser/test_session_timeout.py) ; le brouillon est aussi conservé dans le navigateur",
    ),
    _c(
        "13.2",
        "Dans chaque page web, l'ouverture d'une nouvelle fenêtre ne doit pas être déclenchée sans action de l'utilisateur. Cette règle est-elle respectée ?",
        C,
        "code",
    ),
    _c(
        "13.3",
        "Dans chaque page web, chaque document bureautique en téléchargement possède-t-il, si nécessaire, une version accessible ?",
        C,
        "code",
        "les avis PDF (accusés de réception, lettres de décision, notifications d'aide, procès-verbaux) sont balisés PDF/UA-1 : arbre de structure, langue du destinataire, titre (tests/applications/test_receipt.py) ; leur contenu est aussi affiché en HTML",
    ),
    _c(
        "13.4",
        "Pour chaque document bureautique ayant une version accessible, cette version offre-t-elle la même information ?",
        C,
        "manual",
        "le dossier et la décision sont lisibles en HTML",
    ),
    _c(
        "13.5",
        "Dans chaque page web, chaque contenu cryptique a-t-il une alternative ?",
        C,
        "manual",
        "sigles développés (PTCE, ESS, CRESS)",
    ),
    _c(
        "13.6",
        "Dans chaque page web, pour chaque contenu cryptique ayant une alternative, cette alternative est-elle pertinente ?",
        C,
        "manual",
    ),
    _c(
        "13.7",
        "Dans chaque page web, les changements brusques de luminosité ou les effets de flash sont-ils correctement utilisés ?",
        NA,
        "code",
        "aucun effet de flash",
    ),
    _c(
        "13.8",
        "Dans chaque page web, chaque contenu en mouvement ou clignotant est-il contrôlable par l'utilisateur ?",
        NA,
        "code",
        "aucun contenu en mouvement",
    ),
    _c(
        "13.9",
        "Dans chaque page web, le contenu proposé est-il consultable quelle que soit l'orientation de l'écran ?",
        C,
        "manual",
    ),
    _c(
        "13.10",
        "Dans chaque page web, les fonctionnalités utilisables ou disponibles au moyen d'un geste complexe peuvent-elles être également disponibles au moyen d'un geste simple ?",
        NA,
        "code",
        "aucun geste complexe",
    ),
    _c(
        "13.11",
        "Dans chaque page web, les actions déclenchées au moyen d'un dispositif de pointage sur un point unique de l'écran peuvent-elles faire l'objet d'une annulation ?",
        C,
        "code",
        "actions déclenchées au relâchement (boutons natifs)",
    ),
    _c(
        "13.12",
        "Dans chaque page web, les fonctionnalités qui impliquent un mouvement de l'appareil ou vers l'appareil peuvent-elles être satisfaites de manière alternative ?",
        NA,
        "code",
        "aucune",
    ),
]

# The pages of the sample (RGAA sampling: home, contact/help, legal pages, each step of the main process).
# The criteria's titles below stay in French in every language: they are the RGAA's own wording, a legal reference.
SAMPLE = [
    (_("Accueil"), "/"),
    (_("L'appel"), "/appel/"),
    (_("Création de compte"), "/compte/inscription/"),
    (_("Connexion"), "/compte/connexion/"),
    (_("Tableau de bord du porteur"), "/espace/"),
    (_("Étapes du dossier (pôle, membres, territoire, budget, pièces jointes)"), "/dossiers/…/"),
    (_("Récapitulatif et dépôt du dossier"), "/dossiers/…/recapitulatif/"),
    (_("Instruction et évaluation (listes et fiche dossier)"), "/instruction/…"),
    (_("Lauréats (données ouvertes)"), "/laureats/"),
    (_("Plan du site"), "/plan-du-site/"),
    (_("Mentions légales, données personnelles, accessibilité"), "/mentions-legales/"),
]

# Derogations claimed (disproportionate burden) and contents outside the law's scope.
DEROGATIONS = []


def counts():
    return {status: sum(1 for c in CRITERIA if c.status == status) for status in STATUS_LABELS}


def conformity_rate():
    """Conform criteria / applicable criteria, in percent (one decimal). Untested criteria count as not conform."""
    by_status = counts()
    applicable = len(CRITERIA) - by_status[NA]
    return round(100 * by_status[C] / applicable, 1) if applicable else 100.0


def conformity_level():
    rate = conformity_rate()
    if rate >= 100:
        return _("totalement conforme")
    if rate >= 50:
        return _("partiellement conforme")
    return _("non conforme")


def non_conformities():
    return [c for c in CRITERIA if c.status in (NC, NT)]


def markdown_table():
    """The criteria as the Markdown table of docs/rgaa-audit.md (a test checks the document holds this exact table)."""
    lines = ["| Critère | Thématique | Résultat | Vérification | Note |", "|---|---|---|---|---|"]
    for criterion in CRITERIA:
        note = criterion.note.replace("|", "\\|")
        lines.append(f"| {criterion.number} | {criterion.theme} | {criterion.status} | {criterion.method} | {note} |")
    return "\n".join(lines)
