"""The api app's rows in the privacy inventory: access report and erasure."""

import pytest
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from api.models import ApiToken, IdempotencyRecord
from api.services import api_token_create
from core.audit import Actor
from core.personal_data.inventory import declaration_for
from privacy.services.erasure import user_erase

pytestmark = pytest.mark.django_db


def test_api_models_are_declared():
    for label in ("api.ApiToken", "api.IdempotencyRecord"):
        declaration = declaration_for(label)
        assert declaration is not None
        model = declaration.model
        fields = {f.name for f in model._meta.get_fields() if f.concrete and not f.auto_created}
        assert fields == set(declaration.personal) | declaration.non_personal


def test_erasing_a_person_unlinks_their_tokens_and_drops_their_requests(
    admin_user, accountant, company
):
    created = api_token_create(
        company=company, label="Nettbutikk", actor=Actor.user(admin_user), created_by=admin_user
    )
    for user, key in ((admin_user, "mine"), (accountant, "theirs")):
        session = APIClient()
        session.force_login(user)
        response = session.post(
            "/api/v1/clients/", {"name": f"Kunde {key}"}, format="json", HTTP_IDEMPOTENCY_KEY=key
        )
        assert response.status_code == 201
    token_decl = declaration_for("api.ApiToken")
    record_decl = declaration_for("api.IdempotencyRecord")
    assert token_decl is not None and record_decl is not None
    with scopes_disabled():
        token_rows, record_rows = token_decl.rows_for(admin_user), record_decl.rows_for(admin_user)
        assert token_rows is not None and record_rows is not None
        assert list(token_rows) == [created.token]
        assert [r.key for r in record_rows] == ["mine"]
    user_erase(user=admin_user)
    with scopes_disabled():
        token = ApiToken.objects.get(pk=created.token.pk)
        assert token.created_by is None and token.revoked_at is None
        assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["theirs"]
