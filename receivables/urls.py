from django.urls import path

from receivables import views

app_name = "receivables"

urlpatterns = [
    path("", views.reminders_now, name="reminders"),
    path("send/", views.reminders_send, name="reminders_send"),
    path("settings/", views.settings_view, name="settings"),
    path("preview/<int:invoice_pk>/", views.letter_preview, name="preview"),
    path("letters/<int:pk>/pdf/", views.letter_pdf, name="letter_pdf"),
    path("invoices/<int:invoice_pk>/letter/", views.letter_send, name="letter_send"),
    path("invoices/<int:invoice_pk>/dispute/", views.dispute, name="dispute"),
    path("invoices/<int:invoice_pk>/resolve/", views.resolve, name="resolve"),
    path("invoices/<int:invoice_pk>/collection/", views.collection, name="collection"),
    path("invoices/<int:invoice_pk>/collection.csv", views.collection_csv, name="collection_csv"),
    path("items/<int:pk>/waive/", views.waive, name="waive"),
    path("bank/", views.bank, name="bank"),
    path("bank/upload/", views.bank_upload, name="bank_upload"),
    path("bank/transactions/<int:pk>/assign/", views.bank_assign, name="bank_assign"),
    path("bank/transactions/<int:pk>/set-aside/", views.bank_set_aside, name="bank_set_aside"),
    path("bank/transactions/<int:pk>/reopen/", views.bank_reopen, name="bank_reopen"),
]
