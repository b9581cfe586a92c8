from django.urls import path

from recurring import views

app_name = "recurring"

urlpatterns = [
    path("", views.template_list, name="list"),
    path("new/", views.template_create, name="create"),
    path("<int:pk>/", views.template_detail, name="detail"),
    path("<int:pk>/edit/", views.template_edit, name="edit"),
    path("<int:pk>/toggle/", views.template_toggle, name="toggle"),
    path("<int:pk>/run/", views.template_run_now, name="run"),
    path("<int:pk>/runs/<int:run_pk>/retry/", views.run_retry, name="retry"),
]
