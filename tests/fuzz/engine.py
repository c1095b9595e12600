"""The fuzz suite's budget and its helpers shared by its modules."""

from hypothesis import Phase, settings

# Examples per form, by hypothesis profile (HYPOTHESIS_PROFILE, registered in tests/conftest.py).
EXAMPLES = {"ci": 10, "dev": 200}

# Shrinking a failure re-posts hundreds of variants: in CI the first failing example is reported as found.
PHASES = [Phase.explicit, Phase.reuse, Phase.generate] if settings._current_profile == "ci" else list(Phase)


def examples_per_form():
    return EXAMPLES.get(settings._current_profile, settings.default.max_examples)


def login(client, world, role):
    client.logout()
    if role != "anonymous":
        client.force_login(world.users[role])
