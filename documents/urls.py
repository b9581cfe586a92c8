"""/app/company/logo/... and the PDF of an invoice or credit note, /app/invoices/{id}/preview/
and /app/invoices/{id}/pdf/."""

from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("company/logo/", views.logo, name="logo"),
    path("company/logo/remove/", views.logo_remove, name="logo_remove"),
    path("company/logo/image/", views.logo_image, name="logo_image"),
    path("invoices/<int:pk>/preview/", views.invoice_preview, name="invoice_preview"),
    path("invoices/<int:pk>/pdf/", views.invoice_pdf, name="invoice_pdf"),
]
