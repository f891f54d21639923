"""Every upload endpoint has a size limit and a type check, each answered with a message
that says what is wrong, and nothing is stored from a refused file. Endpoints covered by their
own app's tests are listed in SECURITY.md ("Bad input tried") with those tests' names:
marketing assets (tests/marketing/test_assets.py), mail-in (tests/service/
test_inbound_channels.py), telephony events (tests/callcentre/test_telephony_endpoint.py),
the API (tests/api/test_hostile_requests.py)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from callcentre.models import StaffingForecast as Forecast
from contacts.imports import jobs as import_jobs
from contacts.models import ImportJob
from marketing.models import BounceSettings, SegmentMember
from marketing.services import segments as segment_services
from tests.marketing.factories import SegmentFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 4


def _url(name, **kwargs):
    return reverse(name, kwargs={"ws": "acme", **kwargs})


def _file(name, data, content_type="text/csv"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_contact_import_refuses_a_file_over_the_limit(owner_client, monkeypatch):
    monkeypatch.setattr(import_jobs, "MAX_UPLOAD_BYTES", 2**20)
    big = b"Email\n" + b"a@example.com\n" * (2**20 // 14 + 1)
    response = owner_client.post(
        _url("contacts:import_start"), {"file": _file("big.csv", big), "entity": "contact"}
    )
    assert response.status_code == 200
    assert "The file is larger than 1 MB." in response.content.decode()
    assert not ImportJob.all_workspaces.exists()


def test_contact_import_refuses_a_file_that_is_no_table(owner_client):
    response = owner_client.post(
        _url("contacts:import_start"), {"file": _file("photo.csv", PNG), "entity": "contact"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert errors and all(errors)
    assert not ImportJob.all_workspaces.exists()


@pytest.fixture
def static_list(workspace):
    return SegmentFactory(workspace=workspace, kind="static")


def test_segment_member_import_refuses_a_file_over_the_limit(
    owner_client, static_list, monkeypatch
):
    monkeypatch.setattr(segment_services, "IMPORT_MAX_BYTES", 100)
    data = b"email\n" + b"a@example.com\n" * 20
    response = owner_client.post(
        _url("marketing:segment_import", pk=static_list.pk), {"file": _file("list.csv", data)}
    )
    assert response.status_code == 400
    assert "The file is larger than" in response.content.decode()
    assert not SegmentMember.all_workspaces.exists()


def test_segment_member_import_refuses_a_file_that_is_no_text(owner_client, static_list):
    response = owner_client.post(
        _url("marketing:segment_import", pk=static_list.pk), {"file": _file("list.csv", PNG)}
    )
    assert response.status_code == 400
    assert response.context["error"]
    assert not SegmentMember.all_workspaces.exists()


def _forecast(client, data, name="plan.csv"):
    return client.post(
        _url("callcentre:forecast_create"),
        {
            "name": "Monday",
            "interval_minutes": 30,
            "start": "08:00",
            "aht_seconds": 300,
            "upload": _file(name, data),
        },
    )


def test_forecast_upload_refuses_a_file_over_256_kb(owner_client):
    response = _forecast(owner_client, b"08:00,42\n" * 30_000)
    assert "The file is larger than 256 KB." in response.content.decode()
    assert not Forecast.all_workspaces.exists()


def test_forecast_upload_refuses_a_file_that_is_no_text(owner_client):
    response = _forecast(owner_client, b"\x81\x8d\x8f\x90\x9d\xff\xfe" * 10)
    assert "The file is no text file." in response.content.decode()
    assert not Forecast.all_workspaces.exists()


@pytest.fixture
def bounce_secret(workspace):
    BounceSettings.all_workspaces.create(workspace=workspace, secret="s" * 40)
    return "s" * 40


def test_bounce_webhook_refuses_a_body_over_the_limit_with_413(
    client, workspace, bounce_secret, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = client.post(
        reverse("marketing_bounces", kwargs={"ws": workspace.slug}),
        b"x" * 20_000,
        content_type="message/rfc822",
        HTTP_AUTHORIZATION=f"Bearer {bounce_secret}",
    )
    assert response.status_code == 413
    assert "larger than" in response.json()["error"]


def test_bounce_webhook_refuses_json_of_the_wrong_shape(client, workspace, bounce_secret):
    response = client.post(
        reverse("marketing_bounces", kwargs={"ws": workspace.slug}),
        b'{"not": "a list of events"}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {bounce_secret}",
    )
    assert response.status_code == 400
    assert response.json()["error"]
