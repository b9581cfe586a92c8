from backoffice.tests.conftest import operator, plan  # noqa: F401 (fixtures)
