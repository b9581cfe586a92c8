"""The only code that changes back-office state.

Keyword-only, typed, one ``transaction.atomic`` each, audit-logged in the same
transaction, ``ValidationError`` (Norwegian, translated) for anything a user got wrong.

One module per subdomain; this package re-exports the public services (``__all__``), so
other code imports ``from backoffice import services``. Modules inside the package import
from their siblings::

    staff         staff_create(actor=, email=, full_name=, roles=, valid_until=,
                      granted_categories=)
                  staff_update(actor=, profile=, roles=, valid_until=, granted_categories=,
                      is_active=)
                  staff_grant_approve / staff_grant_reject(actor=, grant=)  four-eyes
                  elevation_start(user=, reason=) / elevation_end(elevation=)
    sales         operator_setup(actor=, company=)               mark the operator company
                  plan_create(actor=, code=, name=, price=, ...)  a plan with its product
                  customer_account_for(customer=, actor=)         the mirroring Client
                  order_place(customer=, plan=, user=, source=)   order, delivery, invoice
                  delivery_record(customer=, actor=, description=, delivered_on=,
                      period_end=)
    relationship  interaction_add / complaint_open / complaint_close (legal holds)
                  credit_check_record / credit_check_run (provider) / financing_add
    surveys       survey_send(period=, on=) / survey_answer(token=, score=, comment=)
    usage         usage_aggregate(day=)
    common        MAX_TEXT and the input helpers
"""

from backoffice.services.relationship import (
    complaint_close,
    complaint_open,
    credit_check_record,
    credit_check_run,
    financing_add,
    interaction_add,
)
from backoffice.services.sales import (
    customer_account_for,
    delivery_record,
    operator_setup,
    order_place,
    plan_create,
)
from backoffice.services.staff import (
    elevation_end,
    elevation_start,
    staff_create,
    staff_grant_approve,
    staff_grant_reject,
    staff_pending_grant,
    staff_update,
)
from backoffice.services.surveys import (
    SurveyLinkError,
    survey_answer,
    survey_invitation_from_token,
    survey_period,
    survey_send,
    survey_token,
)
from backoffice.services.usage import usage_aggregate

__all__ = [
    "SurveyLinkError",
    "complaint_close",
    "complaint_open",
    "credit_check_record",
    "credit_check_run",
    "customer_account_for",
    "delivery_record",
    "elevation_end",
    "elevation_start",
    "financing_add",
    "interaction_add",
    "operator_setup",
    "order_place",
    "plan_create",
    "staff_create",
    "staff_grant_approve",
    "staff_grant_reject",
    "staff_pending_grant",
    "staff_update",
    "survey_answer",
    "survey_invitation_from_token",
    "survey_period",
    "survey_send",
    "survey_token",
    "usage_aggregate",
]
