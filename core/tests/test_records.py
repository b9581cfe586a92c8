"""core.records.dataclass_of: a service's dataclass from the row it describes."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest

from core.records import dataclass_of


@dataclasses.dataclass(frozen=True)
class Header:
    name: str
    rate: int | None = None


def test_every_field_is_read_from_the_row_of_the_same_name():
    row = SimpleNamespace(name="Faktura", rate=3, other="ignored")
    assert dataclass_of(Header, row) == Header(name="Faktura", rate=3)


def test_an_override_replaces_the_row_value_and_is_not_read():
    row = SimpleNamespace(name="Faktura")  # no ``rate``: an override need not exist on the row
    assert dataclass_of(Header, row, rate=None) == Header(name="Faktura", rate=None)


def test_a_field_the_row_lacks_fails_loudly():
    with pytest.raises(AttributeError):
        dataclass_of(Header, SimpleNamespace(rate=1))
