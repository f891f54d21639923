"""The asset library: type read from the content (not the name), size limit, SVG refused,
files served with safe headers under an unguessable address, per workspace."""

import pytest
from django.urls import reverse

from marketing.asset_urls import asset_public_url
from marketing.models import Asset
from tests.marketing.content_helpers import (
    HTML_BYTES,
    PDF_BYTES,
    SVG_BYTES,
    asset_make,
    png_bytes,
    upload,
)
from workspaces.roles import Role

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(f"marketing:{name}", kwargs={"ws": "acme", **kwargs})


def post_file(client, name, data, **extra):
    return client.post(url("assets"), {"file": upload(name, data), "name": "", **extra})


def test_upload_an_image_and_see_its_address(workspace, client_for):
    client = client_for(Role.MARKETING)
    response = post_file(client, "logo.png", png_bytes())
    assert response.status_code == 302
    asset = Asset.all_workspaces.get(workspace=workspace)
    assert (asset.content_type, asset.name) == ("image/png", "logo.png")
    assert asset.size == len(png_bytes())
    assert asset.file.name.endswith(".png") and "logo" in asset.file.name
    page = client.get(url("assets")).content.decode()
    assert asset_public_url(asset, workspace) in page


def test_type_comes_from_the_content_not_the_name(workspace, client_for):
    client = client_for(Role.MARKETING)
    response = post_file(client, "invoice.png", HTML_BYTES)
    assert response.status_code == 422
    assert "not accepted" in response.content.decode()
    response = post_file(client, "scan.jpg", PDF_BYTES)  # a PDF named .jpg is stored as PDF
    assert response.status_code == 302
    asset = Asset.all_workspaces.get(workspace=workspace)
    assert asset.content_type == "application/pdf" and asset.file.name.endswith(".pdf")


def test_svg_is_refused(workspace, client_for):
    response = post_file(client_for(Role.MARKETING), "logo.svg", SVG_BYTES)
    assert response.status_code == 422
    assert not Asset.all_workspaces.exists()


def test_size_limit(workspace, client_for, settings):
    settings.MARKETING_ASSET_MAX_MB = 1
    big = png_bytes() + b"\x00" * (1024 * 1024)
    response = post_file(client_for(Role.MARKETING), "big.png", big)
    assert response.status_code == 422
    assert "larger than 1 MB" in response.content.decode()
    assert not Asset.all_workspaces.exists()


def test_image_is_served_inline_with_nosniff(workspace, client):
    asset = asset_make(workspace)
    response = client.get(asset_public_url(asset, workspace))  # no login: a mail client
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content) == png_bytes()


def test_pdf_is_served_as_an_attachment(workspace, client):
    asset = asset_make(workspace, name="terms.pdf", data=PDF_BYTES)
    response = client.get(asset_public_url(asset, workspace))
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/pdf"


def test_forged_or_foreign_addresses_are_404(workspace, other_workspace, client):
    asset = asset_make(workspace)
    good = asset_public_url(asset, workspace)
    name = asset.file.name.rsplit("/", 1)[-1]
    forged = reverse(
        "marketing_asset", kwargs={"ws": "acme", "token": f"{asset.pk}:forged", "name": name}
    )
    assert client.get(forged).status_code == 404
    # the right token under another workspace's slug finds nothing there
    assert client.get(good.replace("/ma/acme/", "/ma/globex/")).status_code == 404
    assert client.get(good.rsplit("/", 1)[0] + "/other.png").status_code == 404


def test_delete_removes_the_row_and_the_file(
    workspace, client_for, django_capture_on_commit_callbacks
):
    asset = asset_make(workspace)
    storage, path = asset.file.storage, asset.file.name
    assert storage.exists(path)
    client = client_for(Role.MARKETING)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("asset_delete", pk=asset.pk))
    assert response.status_code == 302
    assert not Asset.all_workspaces.filter(pk=asset.pk).exists()
    assert not storage.exists(path)


def test_readonly_cannot_upload(workspace, client_for):
    response = post_file(client_for(Role.READONLY), "logo.png", png_bytes())
    assert response.status_code == 403
    assert not Asset.all_workspaces.exists()
