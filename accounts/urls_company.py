"""Company administration inside the app: /app/company/..."""

from django.urls import path

from accounts import views

app_name = "company"

urlpatterns = [
    path("", views.company_settings, name="settings"),
]
