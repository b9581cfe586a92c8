"""Putting a service's ValidationError on the form that collected the input; the base of
form mixins."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.forms import BaseForm

if TYPE_CHECKING:
    # A mixin that is only ever mixed into forms: mypy reads it as a form (its
    # ``cleaned_data``, ``fields``, ``add_error``); at run time it stays a plain class.
    FormMixin = BaseForm
else:
    FormMixin = object


def form_add_service_errors(
    form: BaseForm,
    error: ValidationError,
    *,
    formset: Any = None,
    rename: dict[str, str] | None = None,
) -> None:
    """Each field's messages on that field when the form has it, else as non-field errors.

    Services key their errors by model field; ``rename`` maps a key to the form's field of
    another name. With a ``formset``, the ``lines`` key goes to its non-form errors (the
    line editors of invoices, quotes and recurring templates).
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    rename = rename or {}
    for field, messages in error.message_dict.items():
        if formset is not None and field == "lines":
            formset.non_form_errors().extend(messages)
            continue
        name = rename.get(field, field)
        form.add_error(name if name in form.fields else None, messages)
