"""The house as docs/architecture.md draws it: no import circle, each app's root holds only what Django expects,
e-mails leave from one notifications module per app, state groups live on their enums.

The floors and each app's inner layers are checked by import-linter (`make quality`, contracts in pyproject.toml).
"""

import ast
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("applications", "reviews", "ptce_ami", "territories")


def import_circles():
    """The strongly connected components (more than one module) of the graph of our imports, functions included."""
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    edges = {module: graph.find_modules_directly_imported_by(module) for module in graph.modules}
    index, low, stack, on_stack, circles = {}, {}, [], set(), []

    def visit(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in edges[module]:
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return circles


def test_no_module_imports_another_that_imports_it_back():
    assert import_circles() == []


def test_the_apps_roots_hold_only_what_django_expects():
    """Everything else lives in forms/, services/, views/, urls/, models/ (a module for reviews) or eligibility/."""
    expected = {"__init__.py", "admin.py", "apps.py", "enums.py", "rules.py", "tasks.py", "workflow.py"}
    expected_by_app = {
        "applications": expected | {"signals.py"},  # the signals higher floors listen to
        "reviews": expected | {"models.py", "hooks.py", "signals.py"},  # hooks: registered with the lower floors
    }
    for app, allowed in expected_by_app.items():
        modules = {path.name for path in (ROOT / app).glob("*.py")}
        assert modules <= allowed, (app, sorted(modules - allowed))


def python_modules():
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path, ast.parse(path.read_text(), filename=str(path))


def calls_to(tree, name):
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and ((isinstance(node.func, ast.Name) and node.func.id == name) or getattr(node.func, "attr", None) == name)
    ]


def test_emails_leave_from_one_notifications_module_per_app():
    senders = {path.relative_to(ROOT).as_posix() for path, tree in python_modules() if calls_to(tree, "queue_email")}
    assert senders == {
        "applications/services/notifications.py",
        "reviews/services/notifications.py",
        "ptce_ami/accounts/notifications.py",
        "ptce_ami/core/reminders.py",  # the reminders' engine, for the sources each app declares
        "ptce_ami/core/notifications.py",
    }


def state_groups(tree, enums=("DossierState", "AssignmentStatus")):
    """Lines of tuples, lists or sets that name two members or more of a state enum."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            members = [
                element
                for element in node.elts
                if isinstance(element, ast.Attribute)
                and isinstance(element.value, ast.Name)
                and element.value.id in enums
            ]
            if len(members) >= 2:
                found.append(node.lineno)
    return found


def test_state_groups_are_named_on_their_enums_only():
    homes = {"applications/enums.py", "reviews/models.py"}
    typed_again = {
        path.relative_to(ROOT).as_posix(): lines
        for path, tree in python_modules()
        if (lines := state_groups(tree)) and path.relative_to(ROOT).as_posix() not in homes
    }
    assert typed_again == {}
