"""The privacy officer's request queue, mounted at /backoffice/privacy-requests/."""

from django.urls import path

from privacy import staff_views

app_name = "privacy_staff"

urlpatterns = [
    path("", staff_views.queue, name="queue"),
    path("new/", staff_views.register, name="register"),
    path("<int:pk>/", staff_views.detail, name="detail"),
    path("<int:pk>/assign/", staff_views.assign, name="assign"),
    path("<int:pk>/extend/", staff_views.extend, name="extend"),
    path("<int:pk>/export/", staff_views.export, name="export"),
    path("<int:pk>/erase/", staff_views.erase, name="erase"),
    path("<int:pk>/close/", staff_views.close, name="close"),
]
