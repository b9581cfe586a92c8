"""REST API for invoices and credit notes: /api/v1/invoices/ and /api/v1/credit-notes/.

Thin: the serializers check types and lengths, ``invoicing.services`` validates the rest
and makes every change (drafts, issue, credit notes, payments). Ids in the body
(``client``, ``product``, a credited ``line``) that the company does not have are a 400
on that field; ids in the path are a 404.

A request that conflicts with the document's state (editing, deleting or issuing an issued
invoice, crediting a draft, reversing a payment twice, the EHF of a draft) is a 409 with
the reason in ``detail``; nothing changes.

The documents (``GET .../{id}/pdf`` and ``.../{id}/ehf``) are served by ``documents.api``.

One module per subject; import from the module (this ``__init__`` exports nothing)::

    common    limits, DATE_VALIDATORS, StateConflict (409), CompanyObjectField, check_amounts_fit
    lines     InvoiceLineSerializer, LineInputSerializer, VatBreakdownSerializer
    invoices  InvoiceListSerializer (+ ROW_COLUMNS, the named rows it reads), InvoiceSerializer
    credit    CreditLineSerializer, CreditRequestSerializer
    payments  PaymentSerializer, PaymentReverseSerializer
    filters   the list filters and their OpenAPI parameters
    pagination  DocumentPagination: the lists' pages through capped_page
    viewsets  InvoiceViewSet, CreditNoteViewSet
"""
