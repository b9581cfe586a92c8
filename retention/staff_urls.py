"""Registers for the privacy officer, mounted at /backoffice/registers/."""

from django.urls import path

from retention import staff_views

app_name = "retention_staff"

urlpatterns = [
    path("processing/", staff_views.processing_record, name="processing_record"),
    path("subprocessors/", staff_views.subprocessors, name="subprocessors"),
    path("subprocessors/new/", staff_views.subprocessor_edit, name="subprocessor_new"),
    path("subprocessors/<int:pk>/", staff_views.subprocessor_edit, name="subprocessor_edit"),
    path("risks/", staff_views.risks, name="risks"),
    path("risks/new/", staff_views.risk_edit, name="risk_new"),
    path("risks/<int:pk>/", staff_views.risk_edit, name="risk_edit"),
    path("retention-runs/", staff_views.runs, name="runs"),
]
