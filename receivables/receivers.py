"""Registrations into the hooks of lower apps (invoicing page and API)."""

from __future__ import annotations


def register() -> None:
    return None
