"""Reads of clients shared with other apps."""

from __future__ import annotations

from django_scopes import scopes_disabled

from customers.selectors import ClientLabel, client_labels
from invoicing.tests.factories import ClientFactory


def test_client_labels_are_the_companys_clients_of_those_ids(company_scope, other_company):
    mine = [ClientFactory(company=company_scope, name=f"Kunde {n}") for n in range(3)]
    with scopes_disabled():
        theirs = ClientFactory(company=other_company)
    wanted = [mine[2].pk, mine[0].pk, mine[0].pk, theirs.pk, 10**12]

    labels = client_labels(wanted)  # the tenant scope applies

    assert labels == {
        client.pk: ClientLabel(client.pk, client.name, client.number)
        for client in (mine[0], mine[2])
    }
    assert client_labels([]) == {}
