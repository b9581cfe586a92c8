from django.urls import path

from retention import views

app_name = "retention"

urlpatterns = [
    path("", views.routines, name="routines"),
    path("pdf/", views.routines_download, name="routines_pdf"),
]
