"""Hostile requests get a JSON error, never a server error: a tampered cursor, JSON nested
past the parser's depth, a body over the upload limit."""

import json

import pytest

pytestmark = pytest.mark.django_db


def _error(response) -> dict:
    return response.json()["error"]


@pytest.mark.parametrize("url", ["/api/v1/contacts/", "/api/v1/deals/"])
def test_a_tampered_cursor_is_404(api_client, url):
    response = api_client.get(f"{url}?cursor=cD1hYmM%3D")  # base64 of "p=abc": not an id
    assert response.status_code == 404
    assert "cursor" in _error(response)["message"].lower()


def test_json_nested_too_deeply_is_400(api_client):
    response = api_client.generic(
        "POST", "/api/v1/contacts/", "[" * 100_000, content_type="application/json"
    )
    assert response.status_code == 400
    assert "nested too deeply" in _error(response)["message"]


def test_a_body_over_the_upload_limit_is_413_json(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({"interactions": [{"event_id": "x" * 50}] * 500})
    response = api_client.generic(
        "POST", "/api/v1/interactions/bulk/", body, content_type="application/json"
    )
    assert response.status_code == 413
    assert _error(response)["code"] == "request_too_large"
