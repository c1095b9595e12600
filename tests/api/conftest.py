import pytest

from ptce_ami.accounts.services import create_api_token
from tests.accounts.factories import RegionFactory, UserFactory


@pytest.fixture
def ara(db):
    return RegionFactory(code="84", name="Auvergne-Rhône-Alpes")


@pytest.fixture
def idf(db):
    return RegionFactory(code="11", name="Île-de-France", cress_name="CRESS Île-de-France")


@pytest.fixture
def instructeur(db):
    return UserFactory(instructeur=True)


@pytest.fixture
def partner(ara):
    return UserFactory(partenaire=True, regions=[ara])


def secret_for(user, days=90):
    return create_api_token(user, name="Outil", days=days)[1]


@pytest.fixture
def call(client):
    """call(secret, path, **query) → the response of GET /api/v1/<path> with the token."""

    def get(secret, path, **query):
        headers = {"Authorization": f"Bearer {secret}"} if secret else {}
        return client.get(f"/api/v1/{path}", query, headers=headers)

    return get
