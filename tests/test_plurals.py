"""Counts in sentences go through ngettext (issue 9: "1 évaluations rendues").

A scan of our templates and Python sources: a variable (or a %(name)d placeholder in a gettext string) right
before a word in the plural must be the counter of a ``{% blocktranslate count %}`` (or the number of an
``ngettext``), otherwise a count of 1 reads "1 évaluations". French function words ending in s or x ("vous",
"dans", "plus"…) and words the same in both numbers ("fois", "mois") are not plurals.
"""

import ast
import re
from pathlib import Path

from django.template.base import Lexer, TokenType

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIRS = [ROOT / "templates", ROOT / "territories" / "templates"]
PYTHON_DIRS = [ROOT / "applications", ROOT / "reviews", ROOT / "ptce_ami", ROOT / "territories"]

# Words after a number that are not plurals of a noun or adjective.
NOT_PLURALS = {
    "après", "alors", "ans",  # "ans" only after an age, never a count here
    "ces", "chez", "dans", "des", "depuis", "dès", "fois", "jamais", "les", "leurs", "lors", "mais", "mes",
    "mois", "moins", "nos", "nous", "pas", "plus", "puis", "sans", "ses", "sous", "tes", "très", "vers", "vos",
    "vous",
}  # fmt: skip
# The word right after a variable: letters (accents included), apostrophes and hyphens.
NEXT_WORD = re.compile(r"^[ \u00a0]+([^\W\d_][\w'’-]*)")
# In a gettext string: a %(name)d placeholder followed by a word (%(name)s holds text, not a count, here).
PLACEHOLDER_WORD = re.compile(r"%\((\w+)\)d[ \u00a0]+([^\W\d_][\w'’-]*)")
GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy"}


def is_plural_word(word):
    word = word.lower()
    return len(word) > 2 and word[-1] in "sx" and word not in NOT_PLURALS


def counter_of(block_contents):
    """The counter's name of ``{% blocktranslate … count counter=… %}``, None without ``count``."""
    bits = block_contents.split()
    if "count" not in bits:
        return None
    after = bits[bits.index("count") + 1 :]
    if after and "=" in after[0]:
        return after[0].split("=", 1)[0]
    if len(after) >= 3 and after[1] == "as":
        return after[2]
    return None


def in_a_tag(previous):
    """Whether the text before a variable leaves an HTML tag open (``<h`` before ``{{ level }}``)."""
    if previous is None or previous.token_type != TokenType.TEXT:
        return False
    return previous.contents.rfind("<") > previous.contents.rfind(">")


def template_findings(source):
    """[(line, variable, word)] of variables followed by a plural word outside the counter of a count block."""
    findings = []
    tokens = Lexer(source).tokenize()
    counter, inside = None, False
    for previous, token, following in zip([None, *tokens[:-1]], tokens, [*tokens[1:], None], strict=True):
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0]
            if name in ("blocktranslate", "blocktrans"):
                inside, counter = True, counter_of(token.contents)
            elif name in ("endblocktranslate", "endblocktrans"):
                inside, counter = False, None
            continue
        if token.token_type != TokenType.VAR or following is None or following.token_type != TokenType.TEXT:
            continue
        if in_a_tag(previous):  # <h{{ level }} class="…">: markup, not a sentence
            continue
        match = NEXT_WORD.match(following.contents)
        if not match or not is_plural_word(match.group(1)):
            continue
        variable = token.contents.split("|")[0].strip()
        if inside and counter is not None and variable == counter:
            continue
        findings.append((token.lineno, token.contents.strip(), match.group(1)))
    return findings


def python_findings(source):
    """[(line, placeholder, word)] of ``%(n)d words`` in gettext calls (ngettext gives both forms instead)."""
    findings = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        function = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        if function not in GETTEXT_NAMES:
            continue
        for argument in node.args:
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                for match in PLACEHOLDER_WORD.finditer(argument.value):
                    if is_plural_word(match.group(2)):
                        findings.append((node.lineno, match.group(1), match.group(2)))
    return findings


def scan(directories, pattern, find):
    found = []
    for directory in directories:
        for path in sorted(directory.rglob(pattern)):
            if "migrations" in path.parts:
                continue
            for line, variable, word in find(path.read_text()):
                found.append(f"{path.relative_to(ROOT)}:{line}: {variable} {word}")
    return found


# The scanners themselves ------------------------------------------------------------------------------------------


def test_template_scan_finds_a_count_outside_a_count_block():
    source = (
        "{% load i18n %}<p>{{ total }} dossiers</p>"
        "{% blocktranslate with count=score.review_count %}({{ count }} évaluations rendues){% endblocktranslate %}"
    )

    assert template_findings(source) == [(1, "total", "dossiers"), (1, "count", "évaluations")]


def test_template_scan_accepts_the_counter_of_a_count_block_only():
    source = (
        "{% blocktranslate count counter=n with spread=s %}{{ counter }} évaluation ; écart {{ spread }}"
        "{% plural %}{{ counter }} évaluations ; écart {{ spread }}{% endblocktranslate %}\n"
        "{% blocktranslate count counter=n with other=m %}{{ counter }} dossier{% plural %}{{ other }} dossiers"
        "{% endblocktranslate %}<p>{{ name }} vous invite</p>"
    )

    assert template_findings(source) == [(2, "other", "dossiers")]


def test_python_scan_finds_integer_placeholders_before_plurals_in_gettext_only():
    source = (
        "_('Le pôle réunit %(count)d personnes morales.')\n"
        "ngettext('%(count)d dossier', '%(count)d dossiers', n)\n"
        "gettext('%(name)s vous invite ; %(count)d fois')\n"
    )

    assert python_findings(source) == [(1, "count", "personnes")]


# The project ------------------------------------------------------------------------------------------------------


def test_no_template_puts_a_count_before_a_plural_outside_blocktranslate_count():
    assert scan(TEMPLATE_DIRS, "*.html", template_findings) + scan(TEMPLATE_DIRS, "*.txt", template_findings) == []


def test_no_gettext_string_puts_a_count_before_a_plural():
    assert scan(PYTHON_DIRS, "*.py", python_findings) == []
