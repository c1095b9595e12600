"""Signals of the referential, for the higher floors (territories imports nothing of ours)."""

from django.dispatch import Signal

# Sent by loader.load_referential once the referential is written (in its transaction), with ``report`` (LoadReport).
# The laureate history links its records to the regions loaded (applications.services.laureate_history).
referential_loaded = Signal()
