"""GET /api/v1/contacts/{id}/data-export/: the GDPR export through the API (owner and admin
keys only), recorded in the audit log."""

import io
import json
import zipfile

from tests.contacts.test_privacy import CALL_NOTE, _seed
from workspaces.models import AuditAction, AuditEntry
from workspaces.scoping import workspace_scope


def test_api_data_export_needs_the_permission(workspace, api_client_for):
    with workspace_scope(workspace):
        contact = _seed(workspace, None)
    url = f"/api/v1/contacts/{contact.pk}/data-export/"

    owner = api_client_for("owner").get(url)
    manager = api_client_for("manager").get(url)

    assert owner.status_code == 200 and owner["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(owner.streaming_content)))
    assert json.loads(archive.read("calls.json"))[0]["notes"] == CALL_NOTE
    assert manager.status_code == 403
    with workspace_scope(workspace):
        assert AuditEntry.objects.filter(action=AuditAction.DATA_EXPORTED).count() == 1


def test_an_erased_address_created_again_through_the_api_gets_no_campaigns(
    workspace, api_client_for
):
    from contacts.models import Contact
    from contacts.services.erasure import contact_erase
    from tests.contacts.test_privacy import SEEDED

    with workspace_scope(workspace):
        contact = _seed(workspace, None)
        contact_erase(workspace=workspace, actor=None, contact=contact)

    response = api_client_for("owner").post(
        "/api/v1/contacts/",
        {"first_name": "Back", "email": SEEDED["email"], "email_opt_in": True},
        format="json",
    )

    assert response.status_code == 201, response.content
    with workspace_scope(workspace):
        back = Contact.objects.get(pk=response.json()["id"])
    assert back.email_opt_in is False and back.do_not_mail is True
