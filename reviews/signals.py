"""Signals of the selection, for the parts that follow it (grants) without being imported by it."""

from django.dispatch import Signal

# Sent inside the publication's transaction, once per decision published: ``decision`` (published_at set), ``by``.
# Receivers queue their work with transaction.on_commit.
decision_published = Signal()
