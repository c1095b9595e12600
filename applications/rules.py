"""Permissions of the applications app (django-rules); predicates on roles come from accounts."""

import rules

from ptce_ami.accounts.rules import is_instructeur

# Configuration of the call (editions and phases) in the Django admin: State staff only.
rules.add_perm("applications", is_instructeur)
for model in ("edition", "phase"):
    for action in ("view", "add", "change"):
        rules.add_perm(f"applications.{action}_{model}", is_instructeur)
    rules.add_perm(f"applications.delete_{model}", rules.always_deny)
