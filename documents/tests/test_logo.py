"""The company logo: upload validated by content, re-encoded, manager-only page."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from PIL import Image, PngImagePlugin

from core.audit import Actor
from core.models import AuditEntry
from documents import services
from documents.models import CompanyBranding
from documents.selectors import company_logo
from documents.tests import images

URL = "/app/company/logo/"


def upload(client, data: bytes, name: str = "logo.png"):
    return client.post(URL, {"logo": SimpleUploadedFile(name, data)})


def branding_of(company) -> CompanyBranding | None:
    with scope(company=company):
        return CompanyBranding.objects.filter(company=company).first()


# --- Validation and re-encoding (service) ---------------------------------------------------


def test_png_is_stored_re_encoded_without_text_chunks(company, owner):
    data = images.png(text="Olga Eier, olga@example.com")
    assert b"olga@example.com" in data
    branding = services.logo_upload(company=company, actor=Actor.user(owner), data=data)
    stored = bytes(branding.logo)
    assert b"olga@example.com" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "PNG"
        assert image.size == (600, 200)
        assert image.mode == "RGBA"  # transparency kept
        assert isinstance(image, PngImagePlugin.PngImageFile)
        assert not image.text
    assert (branding.logo_format, branding.logo_width, branding.logo_height) == ("PNG", 600, 200)
    assert company_logo(company=company) == stored


def test_jpeg_loses_its_exif_and_gps(company, owner):
    data = images.jpeg(gps=True)
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif()
    branding = services.logo_upload(company=company, actor=Actor.user(owner), data=data)
    with Image.open(io.BytesIO(bytes(branding.logo))) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
        assert "exif" not in image.info
    assert "Økern".encode() not in bytes(branding.logo)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"this is not an image at all", "logo_unreadable"),
        (images.png()[:200], "logo_unreadable"),  # truncated
        (images.gif(), "logo_format"),
        (images.png((2001, 10), mode="RGB"), "logo_dimensions"),
        (images.jpeg((10, 2400)), "logo_dimensions"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * (1024 * 1024), "logo_too_large"),
    ],
    ids=["text", "truncated-png", "gif", "too-wide", "too-tall", "over-1-mb"],
)
def test_bad_files_are_refused_and_nothing_is_saved(company, owner, data, code):
    with pytest.raises(ValidationError) as error:
        services.logo_upload(company=company, actor=Actor.user(owner), data=data)
    assert error.value.code == code
    assert branding_of(company) is None


def test_largest_allowed_logo_is_accepted(company, owner):
    branding = services.logo_upload(
        company=company, actor=Actor.user(owner), data=images.png((2000, 2000), mode="RGB")
    )
    assert (branding.logo_width, branding.logo_height) == (2000, 2000)


def test_a_new_logo_replaces_the_old_and_both_are_audited(company, owner):
    actor = Actor.user(owner)
    services.logo_upload(company=company, actor=actor, data=images.png())
    services.logo_upload(company=company, actor=actor, data=images.jpeg())
    with scope(company=company):
        assert CompanyBranding.objects.count() == 1
    branding = branding_of(company)
    assert branding is not None and branding.logo_format == "JPEG"
    with scopes_disabled():
        actions = list(AuditEntry.objects.filter(company=company, action="documents.logo.uploaded"))
    assert len(actions) == 2
    assert services.logo_remove(company=company, actor=actor) is True
    assert branding_of(company) is None
    assert services.logo_remove(company=company, actor=actor) is False


# --- The page: personas ------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_read_only_member_and_accountant_get_403_and_change_nothing(
    member_client, accountant_client, company
):
    for client in (member_client, accountant_client):
        assert client.get(URL).status_code == 403
        assert upload(client, images.png()).status_code == 403
        assert client.post(URL + "remove/").status_code == 403
    assert branding_of(company) is None


def test_owner_uploads_sees_and_removes_the_logo(owner_client, company):
    page = owner_client.get(URL)
    assert page.status_code == 200
    assert "ingen logo" in page.content.decode()
    response = upload(owner_client, images.png(text="metadata"))
    assert response.status_code == 302
    assert response["Location"] == URL
    branding = branding_of(company)
    assert branding is not None
    page = owner_client.get(URL).content.decode()
    assert reverse("documents:logo_image") in page
    assert "600 × 200" in page
    image = owner_client.get(URL + "image/")
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"
    assert image.content == bytes(branding.logo)
    assert owner_client.post(URL + "remove/").status_code == 302
    assert branding_of(company) is None
    assert owner_client.get(URL + "image/").status_code == 404


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"GIF89a not really", "ikke et PNG- eller JPEG-bilde"),
        (images.gif(), "må være et PNG- eller JPEG-bilde"),
        (images.png((2500, 100), mode="RGB"), "høyst 2000 × 2000 piksler"),
        (b"\xff\xd8\xff" + b"\0" * (1024 * 1024 + 10), "høyst 1 MB"),
    ],
)
def test_bad_upload_is_a_form_error_not_a_500(owner_client, company, data, message):
    response = upload(owner_client, data, "logo.jpg")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert branding_of(company) is None


def test_upload_without_a_file_is_a_form_error(owner_client, company):
    response = owner_client.post(URL, {})
    assert response.status_code == 400
    assert branding_of(company) is None


def test_outsider_cannot_see_or_remove_the_companys_logo(
    outsider_client, owner, company, other_company
):
    services.logo_upload(company=company, actor=Actor.user(owner), data=images.png())
    assert outsider_client.get(URL + "image/").status_code == 404
    page = outsider_client.get(URL)
    assert page.status_code == 200  # the outsider's own company, which has no logo
    assert "ingen logo" in page.content.decode()
    outsider_client.post(URL + "remove/")
    assert branding_of(company) is not None
    assert branding_of(other_company) is None


def test_member_sees_the_logo_image(member_client, owner, company):
    services.logo_upload(company=company, actor=Actor.user(owner), data=images.jpeg())
    response = member_client.get(URL + "image/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
