"""Invoicing pages: list, editor (drafts), detail with actions by state, settings.

Thin: parse with ``invoicing.forms``, read with ``invoicing.selectors``, change with
``invoicing.services``. A service's ``ValidationError`` lands on the form field it names;
bad input re-renders the form (400) and saves nothing.

One module per subject; ``invoicing/urls.py`` imports the modules (this ``__init__``
exports nothing): ``lists``, ``drafts`` (editor, live totals, delete, duplicate),
``detail``, ``issue``, ``credit``, ``payments``, ``settings``; ``common`` holds the helpers.
"""
