"""Company administration inside the app: /app/company/..."""

from django.urls import path

from accounts import views

app_name = "company"

urlpatterns = [
    path("", views.company_settings, name="settings"),
    path("members/", views.members, name="members"),
    path("members/invite/", views.member_invite, name="member_invite"),
    path("members/<int:pk>/role/", views.member_role, name="member_role"),
    path("members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
]
