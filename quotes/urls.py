from django.urls import path

from quotes import views

app_name = "quotes"

urlpatterns = [
    path("", views.quote_list, name="list"),
    path("new/", views.quote_create, name="create"),
    path("<int:pk>/", views.quote_detail, name="detail"),
    path("<int:pk>/edit/", views.quote_edit, name="edit"),
    path("<int:pk>/pdf/", views.quote_pdf_view, name="pdf"),
    path("<int:pk>/send/", views.quote_send, name="send"),
    path("<int:pk>/mark-sent/", views.quote_mark_sent, name="mark_sent"),
    path("<int:pk>/decide/", views.quote_decide, name="decide"),
    path("<int:pk>/convert/", views.quote_convert, name="convert"),
]
