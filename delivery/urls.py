from django.urls import path

from delivery import views

app_name = "delivery"

urlpatterns = [
    path("failed/", views.failed, name="failed"),
    path("texts/", views.email_texts, name="email_texts"),
    path("texts/<slug:kind>/", views.email_texts, name="email_texts_kind"),
    path("texts/<slug:kind>/reset/", views.email_texts_reset, name="email_texts_reset"),
    path("batches/new/", views.batch_new, name="batch_new"),
    path("batches/<int:pk>/", views.batch_detail, name="batch"),
    path("batches/<int:pk>/progress/", views.batch_progress, name="batch_progress"),
    path("invoices/<int:invoice_pk>/", views.invoice_deliveries, name="invoice"),
    path("invoices/<int:invoice_pk>/send/", views.send, name="send"),
    path("invoices/<int:invoice_pk>/pdf/", views.download_pdf, name="pdf"),
    path("invoices/<int:invoice_pk>/ehf/", views.download_ehf, name="ehf"),
    path("<int:pk>/resend/", views.resend, name="resend"),
]
