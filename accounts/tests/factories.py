from __future__ import annotations

import factory
from django.utils import timezone
from stdnum.no import orgnr

from accounts.models import Company, Membership, Role, User

PASSWORD = "correct-horse-battery-42"


def _valid_orgnr(n: int) -> str:
    """The n-th valid organisasjonsnummer from 910000000 upwards (distinct for every n).

    Valid numbers are at most ~20 apart, so a stride of 100 never lands two n on one.
    """
    candidate = 910_000_000 + n * 100
    while not orgnr.is_valid(str(candidate)):
        candidate += 1
    return str(candidate)


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.no")
    full_name = factory.Faker("name", locale="no_NO")
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


class CompanyFactory(factory.django.DjangoModelFactory[Company]):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Testfirma {n} AS")
    organization_number = factory.Sequence(_valid_orgnr)
    vat_registered = True
    in_foretaksregisteret = True
    address_line = "Storgata 1"
    postcode = "0155"
    city = "Oslo"
    bank_account = "86011117947"
    # For invoices in foreign currency (payment from abroad).
    iban = "NO9386011117947"
    bic = "DNBANOKKXXX"
    email = factory.Sequence(lambda n: f"faktura{n}@testfirma.no")


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)
    role = Role.OWNER


def totp_device(user, *, confirmed: bool = True):
    """A TOTP device for ``user``; codes come from ``django_otp.oath.totp(device.bin_key)``."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name="test", confirmed=confirmed)


def recovery_codes(user, codes=("code1abc", "code2abc")):
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    device = StaticDevice.objects.create(user=user, name="backup", confirmed=True)
    for code in codes:
        StaticToken.objects.create(device=device, token=code)
    return device


def totp_code(device) -> str:
    from django_otp.oath import totp

    return f"{totp(device.bin_key):06d}"


def sudo(client) -> None:
    """Mark the client's session as freshly re-authenticated (sudo mode)."""
    import time

    from accounts.permissions import SESSION_REAUTH_KEY

    session = client.session
    session[SESSION_REAUTH_KEY] = time.time()
    session.save()


def otp_verified(client, device) -> None:
    """Mark the client's session as having passed the second factor with ``device``."""
    from django_otp import DEVICE_ID_SESSION_KEY

    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
