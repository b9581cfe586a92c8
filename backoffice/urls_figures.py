"""Statutory figures for receivables, mounted at /backoffice/figures/."""

from django.urls import path

from backoffice import views_figures

app_name = "figures"

urlpatterns = [
    path("", views_figures.figure_list, name="list"),
    path("new/", views_figures.figure_edit, name="new"),
    path("<int:pk>/", views_figures.figure_edit, name="edit"),
]
