import pytest
from django.apps import apps
from django.utils.functional import lazystr

from core.personal_data import inventory
from core.personal_data.inventory import Category, InventoryError, PersonalField


def test_every_field_of_every_project_model_is_declared():
    missing = inventory.undeclared_fields()
    assert not missing, (
        "These fields are neither declared personal nor non-personal in the privacy "
        "inventory:\n"
        + "\n".join(f"  - {label}.{name}" for label, name in missing)
        + "\nDeclare them in <your app>/privacy.py with core.personal_data.inventory.register("
        "'<app>.<Model>', personal={'field': PersonalField(Category..., purpose=..., "
        "source=..., retention=...)}, non_personal=['field', ...]). "
        "See core/personal_data/inventory.py."
    )


def test_the_check_covers_project_apps_only_and_catches_an_undeclared_field(monkeypatch):
    labels = {m._meta.label for m in inventory.project_models()}
    assert {"accounts.User", "core.AuditEntry", "privacy.ConsentRecord"} <= labels
    assert not any(label.startswith(("auth.", "sessions.", "axes.")) for label in labels)
    declaration = inventory.declaration_for("accounts.User")
    assert declaration is not None
    trimmed = dict(declaration.personal)
    del trimmed["phone"]
    monkeypatch.setattr(declaration, "personal", trimmed)
    assert ("accounts.User", "phone") in inventory.undeclared_fields()


def test_register_refuses_unknown_fields_duplicates_and_bad_categories():
    with pytest.raises(InventoryError, match="already declared"):
        inventory.register("accounts.User", personal={})
    model = apps.get_model("marketing", "Segment")
    inventory._registry.pop(model._meta.label)
    try:
        with pytest.raises(InventoryError, match="no such field"):
            inventory.register(model, personal={}, non_personal=["name", "nonsense"])
        with pytest.raises(InventoryError, match="both personal and not"):
            inventory.register(
                model,
                personal={
                    "name": PersonalField(
                        Category.NAME, purpose="marketing", source="staff", retention="account"
                    )
                },
                non_personal=["name"],
            )
    finally:
        inventory._registry.pop(model._meta.label, None)
        inventory.register(model, personal={}, non_personal=["name", "description", "criteria"])
    with pytest.raises(ValueError, match="Unknown privacy category"):
        PersonalField("health", purpose="marketing", source="self", retention="account")


def test_personal_fields_use_only_the_statements_categories_and_have_a_legal_basis():
    grouped = inventory.personal_fields_by_category()
    assert list(grouped) == list(Category.values)
    for entries in grouped.values():
        for _declaration, _name, spec in entries:
            assert spec.legal_basis in inventory.LegalBasis.values
            assert spec.retention in inventory.RETENTION


def test_apps_can_add_purposes_and_retention_rules():
    rule = inventory.Retention("test_24h", lazystr("24 timer"), days=1)
    assert inventory.register_retention(rule) is rule
    assert inventory.register_retention(rule) is rule  # the same rule twice is fine
    with pytest.raises(InventoryError):
        inventory.register_retention(inventory.Retention("test_24h", lazystr("annet"), days=2))
    with pytest.raises(InventoryError):
        inventory.register_purpose(inventory.Purpose("x_test", lazystr("x"), "legitimate_interest"))
    del inventory.RETENTION["test_24h"]


def test_generic_anonymiser_uses_values_and_callables(owner, member):
    from privacy.services.erasure import _anonymise

    declaration = inventory.ModelDeclaration(
        label="accounts.User",
        personal={
            "full_name": PersonalField(
                Category.NAME,
                purpose="customer_relationship",
                source="self",
                retention="account",
                erase_to=lambda row: f"Slettet {row.pk}",
            ),
            "phone": PersonalField(
                Category.CONTACT,
                purpose="customer_relationship",
                source="self",
                retention="account",
                erase_to="",
            ),
        },
        non_personal=frozenset(),
    )
    User = apps.get_model("accounts", "User")
    User.objects.filter(pk=owner.pk).update(phone="99999999")
    _anonymise(User.objects.filter(pk=owner.pk), declaration)
    owner.refresh_from_db()
    member.refresh_from_db()
    assert (owner.full_name, owner.phone) == (f"Slettet {owner.pk}", "")
    assert member.full_name == "Mons Medlem"


def test_a_generated_column_is_declared_through_the_fields_it_is_made_of(company_scope):
    from core.personal_data.retention import _blank_values
    from invoicing.tests.factories import draft_invoice

    # The invoice's references in one text for the lists' search: not declared on its own
    # (the references are, as names), and gone from it when they are blanked.
    Invoice = apps.get_model("invoicing", "Invoice")
    names = {f.name for f in inventory.declarable_fields(Invoice)}
    assert "references_text" not in names
    assert {"our_reference", "their_reference", "buyer_reference", "order_number"} <= names
    declaration = inventory.declaration_for("invoicing.Invoice")
    assert declaration is not None and "our_reference" in declaration.personal
    invoice = draft_invoice(company=company_scope, our_reference="Olga Eier")
    values, _still = _blank_values("invoicing.Invoice", declaration.personal)
    Invoice.objects.filter(pk=invoice.pk).update(**values)
    stored = Invoice.objects.values_list("references_text", flat=True).get(pk=invoice.pk)
    assert "OLGA" not in stored
