"""The privacy officer's request queue, mounted at /backoffice/privacy-requests/."""

from django.urls import path

from privacy import views_staff

app_name = "privacy_staff"

urlpatterns = [
    path("", views_staff.queue, name="queue"),
    path("new/", views_staff.register, name="register"),
    path("<int:pk>/", views_staff.detail, name="detail"),
    path("<int:pk>/assign/", views_staff.assign, name="assign"),
    path("<int:pk>/extend/", views_staff.extend, name="extend"),
    path("<int:pk>/export/", views_staff.export, name="export"),
    path("<int:pk>/erase/", views_staff.erase, name="erase"),
    path("<int:pk>/close/", views_staff.close, name="close"),
    path("<int:pk>/refer/", views_staff.refer, name="refer"),
]
