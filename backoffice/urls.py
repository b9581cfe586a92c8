from django.urls import path

from backoffice import views

app_name = "backoffice"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("permissions/", views.permission_matrix, name="permissions"),
    path("customers/", views.customer_list, name="customer_list"),
    path("customers/<int:pk>/", views.customer_detail, name="customer_detail"),
    path("customers/<int:pk>/interactions/", views.interaction_add, name="interaction_add"),
    path("customers/<int:pk>/complaints/", views.complaint_add, name="complaint_add"),
    path("customers/<int:pk>/credit-checks/", views.credit_check_add, name="credit_check_add"),
    path("customers/<int:pk>/credit-checks/run/", views.credit_check_run, name="credit_check_run"),
    path("customers/<int:pk>/financing/", views.financing_add, name="financing_add"),
    path("customers/<int:pk>/deliveries/", views.delivery_add, name="delivery_add"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("complaints/", views.complaint_list, name="complaint_list"),
    path("complaints/<int:pk>/close/", views.complaint_close, name="complaint_close"),
    path("access-log/", views.access_log_view, name="access_log"),
    path("access-log/export.csv", views.access_log_export, name="access_log_export"),
    path(
        "customers/<int:pk>/payments.csv",
        views.payment_history_export,
        name="payment_history_export",
    ),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_create, name="staff_create"),
    path("staff/<int:pk>/", views.staff_edit, name="staff_edit"),
    path(
        "staff/grants/<int:pk>/approve/",
        views.staff_grant_decide,
        {"decision": "approve"},
        name="staff_grant_approve",
    ),
    path(
        "staff/grants/<int:pk>/reject/",
        views.staff_grant_decide,
        {"decision": "reject"},
        name="staff_grant_reject",
    ),
    path("elevate/", views.elevate, name="elevate"),
    path("elevate/end/", views.elevate_end, name="elevate_end"),
    path("surveys/", views.survey_overview, name="surveys"),
    path("surveys/send/", views.survey_send, name="survey_send"),
]
