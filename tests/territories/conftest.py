import pytest

from tests.territories import cog_mini


@pytest.fixture
def mini_file():
    return cog_mini.FIXTURE
