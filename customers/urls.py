from django.urls import path

from customers import views

app_name = "customers"

urlpatterns = [
    path("", views.client_list, name="list"),
    path("new/", views.client_create, name="create"),
    path("picker/", views.client_picker, name="picker"),
    path("lookup/", views.client_company_lookup, name="lookup"),
    path("export/", views.client_export, name="export"),
    path("import/", views.client_import, name="import"),
    path("import/<str:token>/", views.client_import_preview, name="import_preview"),
    path("<int:pk>/", views.client_detail, name="detail"),
    path("<int:pk>/edit/", views.client_edit, name="edit"),
    path("<int:pk>/archive/", views.client_archive, name="archive"),
    path("<int:pk>/activate/", views.client_activate, name="activate"),
]
