from __future__ import annotations

import pytest

from reports.tests.history import build_history


@pytest.fixture
def history(company_scope):
    """A generated year of invoices for ``company`` (see ``history.py``)."""
    return build_history(company=company_scope)
