"""A service's input dataclass filled from the row it describes.

Services take typed dataclasses (``InvoiceHeader``, ``TemplateData``); to change a few
fields of an existing row, a caller starts from the row's current values and uses
``dataclasses.replace``. ``dataclass_of`` is that "current values" step for every app.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")


def dataclass_of(cls: type[T], obj: object, **overrides: Any) -> T:
    """``cls`` with each field read from ``obj``'s attribute of the same name, except those
    given in ``overrides`` (a value the row stores differently from what the service takes)."""
    values = {
        field.name: getattr(obj, field.name)
        for field in dataclasses.fields(cls)
        if field.name not in overrides
    }
    return cls(**values, **overrides)
