"""Segments and campaigns, mounted at /backoffice/marketing/."""

from django.urls import path

from marketing import views

app_name = "marketing"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("segments/new/", views.segment_new, name="segment_new"),
    path("segments/<int:pk>/compute/", views.segment_compute, name="segment_compute"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", views.campaign, name="campaign"),
    path("campaigns/<int:pk>/send/", views.campaign_send, name="campaign_send"),
    path("campaigns/<int:pk>/progress/", views.campaign_progress, name="campaign_progress"),
]
