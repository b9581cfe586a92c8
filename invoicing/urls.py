from django.urls import path

from invoicing import views

app_name = "invoicing"

urlpatterns = [
    path("invoices/", views.invoice_list, name="list"),
    path("invoices/new/", views.invoice_create, name="create"),
    path("invoices/totals/", views.invoice_totals, name="totals"),
    path("invoices/settings/", views.invoicing_settings, name="settings"),
    path("invoices/<int:pk>/", views.invoice_detail, name="detail"),
    path("invoices/<int:pk>/edit/", views.invoice_edit, name="edit"),
    path("invoices/<int:pk>/delete/", views.invoice_delete, name="delete"),
    path("invoices/<int:pk>/issue/", views.invoice_issue, name="issue"),
    path("invoices/<int:pk>/duplicate/", views.invoice_duplicate, name="duplicate"),
    path("invoices/<int:pk>/credit/", views.invoice_credit, name="credit"),
    path("invoices/<int:pk>/payments/new/", views.payment_register, name="payment"),
    path(
        "invoices/<int:pk>/payments/<int:payment_pk>/reverse/",
        views.payment_reverse,
        name="payment_reverse",
    ),
    path("credit-notes/", views.credit_note_list, name="credit_notes"),
]
