"""Reads of the workspace's custom field definitions."""

from ..models import CustomField


def custom_field_list(*, workspace, entity: str) -> list[CustomField]:
    """The workspace's custom fields on `entity` ("contact" or "account"), in form order."""
    return list(
        CustomField.objects.filter(workspace=workspace, entity=entity).order_by("position", "id")
    )
