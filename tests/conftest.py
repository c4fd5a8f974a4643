import pytest

from .factories import make_user


@pytest.fixture
def owner(db):
    return make_user("owner")


@pytest.fixture
def other(db):
    return make_user("other")


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def other_client(other):
    from django.test import Client

    client = Client()
    client.force_login(other)
    return client
