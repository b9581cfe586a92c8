from django.urls import path

from invoicing.views import credit, detail, drafts, issue, lists, payments, settings

app_name = "invoicing"

urlpatterns = [
    path("invoices/", lists.invoice_list, name="list"),
    path("invoices/new/", drafts.invoice_create, name="create"),
    path("invoices/totals/", drafts.invoice_totals, name="totals"),
    path("invoices/issue/", issue.invoice_issue_selected, name="issue_selected"),
    path("invoices/settings/", settings.invoicing_settings, name="settings"),
    path("invoices/texts/", settings.invoice_texts, name="texts"),
    path("invoices/<int:pk>/", detail.invoice_detail, name="detail"),
    path("invoices/<int:pk>/edit/", drafts.invoice_edit, name="edit"),
    path("invoices/<int:pk>/delete/", drafts.invoice_delete, name="delete"),
    path("invoices/<int:pk>/issue/", issue.invoice_issue, name="issue"),
    path("invoices/<int:pk>/duplicate/", drafts.invoice_duplicate, name="duplicate"),
    path("invoices/<int:pk>/credit/", credit.invoice_credit, name="credit"),
    path("invoices/<int:pk>/payments/new/", payments.payment_register, name="payment"),
    path(
        "invoices/<int:pk>/payments/<int:payment_pk>/reverse/",
        payments.payment_reverse,
        name="payment_reverse",
    ),
    path("credit-notes/", lists.credit_note_list, name="credit_notes"),
]
