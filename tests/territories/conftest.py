import pytest

from territories.loader import load_referential
from tests.territories import cog_mini


@pytest.fixture
def mini_file():
    return cog_mini.FIXTURE


@pytest.fixture
def referential(db):
    """The mini referential, loaded."""
    return load_referential(cog_mini.FIXTURE)
