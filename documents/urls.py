"""/app/company/logo/..."""

from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("", views.logo, name="logo"),
    path("remove/", views.logo_remove, name="logo_remove"),
    path("image/", views.logo_image, name="logo_image"),
]
