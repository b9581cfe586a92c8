"""REST API for a company's clients: /api/v1/clients/.

Thin: the serializer checks types and lengths, ``customers.services`` validates the
rest (orgnr, e-mail addresses, Peppol id, country) and makes every change.

DELETE archives the client (``client_archive``): clients are never deleted, since
invoices refer to them. An archived client is still found by id and by
``?status=archived``/``all``; ``POST /clients/{id}/activate/`` brings it back.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import ApiModelViewSet, query_choice, query_text
from api.idempotency import idempotent
from customers.models import Client
from customers.selectors import STATUSES, client_list
from customers.services import (
    CLIENT_FIELDS,
    ClientData,
    client_activate,
    client_archive,
    client_create,
    client_update,
)


class ClientSerializer(serializers.ModelSerializer[Client]):
    # Checked by the service, which also accepts "999 999 999".
    organization_number = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        help_text="Organisasjonsnummer, 9 digits (spaces allowed); optional.",
    )
    invoice_emails = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        help_text="One or more e-mail addresses for invoices, comma-separated.",
    )
    email = serializers.EmailField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=254,
        help_text="Shorthand for a single invoice_emails address (used if that is not given).",
    )
    vat_number = serializers.CharField(
        max_length=30,
        required=False,
        allow_blank=True,
        help_text="A foreign buyer's VAT number with its country prefix, e.g. SE556677889901 "
        "(checked with python-stdnum); not for Norwegian clients (use organization_number).",
    )
    peppol_id = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text="E.g. 0192:999999999; set from the orgnr when left empty.",
    )

    class Meta:
        model = Client
        fields = [
            "id",
            "number",
            "kind",
            "name",
            "organization_number",
            "vat_number",
            "address_line",
            "address_line2",
            "postcode",
            "city",
            "country",
            "invoice_emails",
            "email",
            "phone",
            "contact_person",
            "their_reference",
            "payment_terms_days",
            "language",
            "peppol_id",
            "delivery_channel",
            "price_display",
            "notes",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "number", "is_active", "created_at", "updated_at"]
        extra_kwargs = {"country": {"max_length": 2, "min_length": 2}}

    def client_values(self) -> dict[str, Any]:
        """The validated input as ``ClientData`` keyword arguments."""
        values = dict(self.validated_data)
        email = values.pop("email", "")
        if email and not values.get("invoice_emails"):
            values["invoice_emails"] = email
        return {key: value for key, value in values.items() if key in CLIENT_FIELDS}


@extend_schema_view(
    list=extend_schema(
        summary="List clients",
        parameters=[
            OpenApiParameter(
                "search", OpenApiTypes.STR, description="Name, number, orgnr or e-mail."
            ),
            OpenApiParameter(
                "status", OpenApiTypes.STR, enum=list(STATUSES), description="Default: active."
            ),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=Client.Kind.values),
        ],
    ),
    retrieve=extend_schema(summary="Get a client"),
    create=extend_schema(summary="Create a client (the number is allocated)"),
    update=extend_schema(summary="Replace a client (fields left out get their defaults)"),
    partial_update=extend_schema(summary="Change some fields of a client"),
    destroy=extend_schema(summary="Archive a client (clients are never deleted)"),
)
class ClientViewSet(ApiModelViewSet):
    """The company's clients (customers). The client number is allocated on create.

    DELETE archives: clients are never deleted, since invoices refer to them.
    """

    serializer_class = ClientSerializer

    def get_queryset(self) -> QuerySet[Client]:
        if self.action != "list":
            return Client.objects.all()
        params = self.request.query_params
        return client_list(
            search=query_text(params, "search"),
            status=query_choice(params, "status", STATUSES, default="active"),
            kind=query_choice(params, "kind", Client.Kind.values, default=""),
        )

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    # DRF passes this view's serializer_class; its stubs type the argument as any serializer.
    def perform_create(self, serializer: ClientSerializer) -> None:  # type: ignore[override]
        serializer.instance = client_create(
            company=self.caller.company,
            actor=self.caller.actor,
            data=ClientData(**serializer.client_values()),
        )

    def perform_update(self, serializer: ClientSerializer) -> None:  # type: ignore[override]
        client = serializer.instance
        if client is None:  # DRF updates the object it found
            raise TypeError("perform_update needs the serializer's instance")
        values = serializer.client_values()
        if serializer.partial:
            data = dataclasses.replace(ClientData.from_client(client), **values)
        else:
            data = ClientData(**values)
        serializer.instance = client_update(client=client, actor=self.caller.actor, data=data)

    def perform_destroy(self, instance: Client) -> None:
        client_archive(client=instance, actor=self.caller.actor)

    @extend_schema(summary="Make an archived client active again", request=None)
    @idempotent
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: str | None = None) -> Response:
        client = client_activate(client=self.get_object(), actor=self.caller.actor)
        return Response(self.get_serializer(client).data, status=status.HTTP_200_OK)
