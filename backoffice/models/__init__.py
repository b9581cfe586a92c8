"""The operator's back office: staff, access log, customer relationships.

State changes go through ``backoffice.services`` only; reads through
``backoffice.selectors`` (relationship status, legal holds) and
``backoffice.permissions`` (the permission matrix).

A *customer* is an ``accounts.Company`` (a company that uses FakturaNett); its users
(``accounts.Membership``) are the people. The operator's own company (Invoice Club AS)
is an ``accounts.Company`` too, marked by the single ``OperatorCompany`` row; it invoices
customers with the product's own invoicing engine.

One module per subdomain (``common``, ``staff``, ``sales``, ``relationship``, ``surveys``,
``usage``); this ``__init__`` imports every model, so Django and the migrations see them
all and ``from backoffice.models import X`` keeps working.
"""

from backoffice.models.common import Source
from backoffice.models.relationship import (
    Complaint,
    CreditCheck,
    FinancingUse,
    Interaction,
    LegalHold,
)
from backoffice.models.sales import CustomerAccount, OperatorCompany, Order, Plan, ServiceDelivery
from backoffice.models.staff import (
    ADVISER_ROLES,
    AccessLogEntry,
    ElevatedSession,
    StaffGrantRequest,
    StaffProfile,
    StaffRole,
)
from backoffice.models.surveys import SurveyInvitation
from backoffice.models.usage import UsageStat

__all__ = [
    "ADVISER_ROLES",
    "AccessLogEntry",
    "Complaint",
    "CreditCheck",
    "CustomerAccount",
    "ElevatedSession",
    "FinancingUse",
    "Interaction",
    "LegalHold",
    "OperatorCompany",
    "Order",
    "Plan",
    "ServiceDelivery",
    "Source",
    "StaffGrantRequest",
    "StaffProfile",
    "StaffRole",
    "SurveyInvitation",
    "UsageStat",
]
