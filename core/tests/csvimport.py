"""Test helper: a CSV import as the pages do it, upload → preview → confirm."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as WebClient
from django.urls import reverse


def upload_file(web: WebClient, url_name: str, content: bytes, name: str = "data.csv"):
    """POST the file to the upload page; a good file redirects to its preview."""
    return web.post(reverse(url_name), {"file": SimpleUploadedFile(name, content, "text/csv")})


def confirm_preview(web: WebClient, preview_url: str):
    """Open the preview and confirm it with the fingerprint the page carries."""
    page = web.get(preview_url)
    assert page.status_code == 200, page.content.decode()[:2000]
    fingerprint = page.context["confirm_form"].initial["fingerprint"]
    return web.post(preview_url, {"fingerprint": fingerprint})


def upload_and_confirm(web: WebClient, url_name: str, content: bytes, name: str = "data.csv"):
    """Upload, then confirm the preview; the upload's answer when it did not redirect."""
    response = upload_file(web, url_name, content, name)
    if response.status_code != 302:
        return response
    return confirm_preview(web, response["Location"])
