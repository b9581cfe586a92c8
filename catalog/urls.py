from django.urls import path

from catalog import views

app_name = "catalog"

# Mounted at /app/: products under /app/products/, the VAT table at /app/vat-codes/.
urlpatterns = [
    path("products/", views.product_list, name="list"),
    path("products/new/", views.product_create, name="create"),
    path("products/export/", views.product_export, name="export"),
    path("products/import/", views.product_import, name="import"),
    path("products/picker/", views.product_picker, name="picker"),
    path("products/import/<str:token>/", views.product_import_preview, name="import_preview"),
    path("products/<int:pk>/edit/", views.product_edit, name="edit"),
    path("products/<int:pk>/deactivate/", views.product_deactivate, name="deactivate"),
    path("products/<int:pk>/activate/", views.product_activate, name="activate"),
    path("vat-codes/", views.vat_codes, name="vat_codes"),
]
