from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("ledger/", views.ledger, name="ledger"),
    path("ageing/", views.ageing, name="ageing"),
    path("ageing/invoices/", views.ageing_invoices, name="ageing_invoices"),
    path("vat/", views.vat, name="vat"),
    path("vat/mark-reported/", views.vat_mark_reported, name="vat_mark_reported"),
    path("sales/", views.sales, name="sales"),
    path("exports/", views.export_index, name="exports"),
    path("exports/company.zip", views.export_zip, name="export_zip"),
    path("exports/<slug:table>.<str:fmt>", views.export_table, name="export_table"),
    path("saft/", views.saft_page, name="saft"),
    path("saft/download/", views.saft_download, name="saft_download"),
    path("settings/", views.report_settings, name="settings"),
]
