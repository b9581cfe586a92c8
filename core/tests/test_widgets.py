"""``QuickSelect`` writes Django's ``Select`` markup to the character."""

from __future__ import annotations

import pytest
from django import forms
from django.utils.safestring import mark_safe

from core.widgets import QuickSelect

CHOICES = [
    ("", "– fritekst –"),
    ("NO", "Norge"),
    ("X&Y", 'Tom & "Jerry" <b>'),
    (7, mark_safe("<em>safe</em>")),
]
GROUPED = [
    ("Norden", [("NO", "Norge"), ("SE", "Sverige")]),
    ("", "Ingen"),
    ("Andre", [("DE", "Tyskland")]),
]


@pytest.mark.parametrize(
    ("choices", "value", "attrs"),
    [
        (CHOICES, "NO", {"id": "id_country"}),
        (CHOICES, None, {"id": "id_x", "required": True, "disabled": False}),
        (CHOICES, "X&Y", {"hx-post": "/a?b=1&c=2", "data-x": 'q"uote'}),
        (CHOICES, 7, {}),
        (GROUPED, "SE", {"class": "wide"}),
        ([], "", {}),
        ([(None, "ingen"), ("a", "A"), ("a", "A igjen")], "a", {}),  # the first "a" only
        ([(None, "ingen"), ("G", [(None, "tom"), (1, "én")])], None, {}),
        ([("", "–"), (1, "én")], ["1"], {"required": False}),
    ],
)
def test_the_markup_is_djangos_select(choices, value, attrs):
    expected = forms.Select(choices=choices).render("country", value, attrs=attrs)
    assert QuickSelect(choices=choices).render("country", value, attrs=attrs) == expected


@pytest.mark.django_db
def test_a_model_choice_field_renders_as_djangos_select(company_scope):
    from customers.models import Client
    from customers.tests.factories import ClientFactory

    chosen = ClientFactory(company=company_scope, name="Ås & Co")
    ClientFactory(company=company_scope, name="<Berg>")

    class Form(forms.Form):
        plain: forms.ModelChoiceField[Client] = forms.ModelChoiceField(
            Client.objects.order_by("name"), empty_label="– ingen –"
        )
        quick: forms.ModelChoiceField[Client] = forms.ModelChoiceField(
            Client.objects.order_by("name"), empty_label="– ingen –", widget=QuickSelect
        )

    form = Form(initial={"plain": chosen.pk, "quick": chosen.pk})
    assert str(form["quick"]).replace("quick", "plain") == str(form["plain"])


def test_a_form_without_required_attributes_gets_none():
    class Form(forms.Form):
        use_required_attribute = False
        plain = forms.ChoiceField(choices=CHOICES)
        quick = forms.ChoiceField(choices=CHOICES, widget=QuickSelect)

    form = Form(initial={"plain": "NO", "quick": "NO"})
    assert "required" not in str(form["quick"])
    assert str(form["quick"]).replace("quick", "plain") == str(form["plain"])
