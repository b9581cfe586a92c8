"""Form widgets shared by the apps."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString


def _attributes(attrs: dict[str, Any]) -> str:
    """Django's ``django/forms/widgets/attrs.html``: ``False`` left out, ``True`` bare."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class QuickSelect(forms.Select):
    """Django's ``Select`` with the same markup, written in Python.

    Django renders each ``<option>`` through a template include (tens of µs each): the
    country list was most of the client form's time, and the units and VAT codes of a
    20-line invoice (~900 options) a third of its editor's (issue 15). The markup is
    ``select.html`` and ``select_option.html`` to the character (a test compares them).
    """

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        # Django's ``optgroups`` and ``create_option`` build a dict per option (250
        # countries; ~900 units and VAT codes on 20 lines); the options are written from
        # the choices instead, with the same rules: the first option whose value is the
        # value is selected.
        selected = set(self.format_value(value))
        has_selected = False
        select_attrs = self.build_attrs(self.attrs, attrs)  # "required": from the bound field
        parts = [f'<select name="{conditional_escape(name)}"{_attributes(select_attrs)}>']
        for group_value, group_label in self.choices:
            grouped = isinstance(group_label, (list, tuple))
            # As ``optgroups``: an option's value None is "" outside a group only.
            options: Any = (
                group_label
                if grouped
                else [("" if group_value is None else group_value, group_label)]
            )
            if grouped:
                parts.append(f'\n  <optgroup label="{conditional_escape(group_value)}">')
            for option_value, option_label in options:
                text = str(option_value)
                chosen = not has_selected and text in selected
                has_selected |= chosen
                mark = " selected" if chosen else ""
                parts.append(
                    f'\n  <option value="{conditional_escape(text)}"{mark}>'
                    f"{conditional_escape(option_label)}</option>\n"
                )
            if grouped:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return SafeString("".join(parts))


class TypeAheadPicker(forms.Widget):
    """What the type-ahead pickers share (``customers.widgets.ClientPicker``,
    ``catalog.widgets.ProductPicker``; the script in ``static/js/app.js``, ``data-picker``):
    a hidden field with the chosen id, which carries the ``hx-*`` attributes and fires
    ``change`` when an option is chosen, a search box with the widget's id, and a list of
    options (``options_id``) filled by HTMX."""

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        context["value_attrs"] = {k: v for k, v in widget_attrs.items() if k.startswith("hx-")}
        context["options_id"] = f"{widget_attrs.get('id', name)}_options"
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name)
