from django.db import models
from django.utils.translation import gettext_lazy as _


class PhaseKind(models.TextChoices):
    PHASE1 = "phase1", _("Phase 1 — PTCE émergents")
    PHASE2 = "phase2", _("Phase 2 — financement")
