"""Public pages of the back office: plans, ordering, survey answers (no app namespace)."""

from django.urls import path

from backoffice import views_public

urlpatterns = [
    path("plans/", views_public.plans, name="plans"),
    path("plans/<slug:code>/order/", views_public.plan_order, name="plan_order"),
    path("plans/orders/<int:pk>/", views_public.order_done, name="order_done"),
    path("survey/<str:token>/", views_public.survey_answer, name="survey_answer"),
]
