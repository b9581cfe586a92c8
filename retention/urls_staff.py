"""Registers for the privacy officer, mounted at /backoffice/registers/."""

from django.urls import path

from retention import views_staff

app_name = "retention_staff"

urlpatterns = [
    path("processing/", views_staff.processing_record, name="processing_record"),
    path("subprocessors/", views_staff.subprocessors, name="subprocessors"),
    path("subprocessors/new/", views_staff.subprocessor_edit, name="subprocessor_new"),
    path("subprocessors/<int:pk>/", views_staff.subprocessor_edit, name="subprocessor_edit"),
    path("risks/", views_staff.risks, name="risks"),
    path("risks/new/", views_staff.risk_edit, name="risk_new"),
    path("risks/<int:pk>/", views_staff.risk_edit, name="risk_edit"),
    path("retention-runs/", views_staff.runs, name="runs"),
]
