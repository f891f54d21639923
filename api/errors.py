"""One JSON shape for every API error:

    {"error": {"code": "invalid", "message": "…", "fields": {"email": ["…"], "contact.phone": ["…"]}}}

`code` is DRF's error code (not_authenticated, authentication_failed, permission_denied,
not_found, method_not_allowed, throttled, parse_error, invalid, …); `fields` holds the field
messages of a validation error (nested fields joined with dots) and is {} otherwise. A
Django ValidationError raised by a service becomes a 400 like a serializer's."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler


def flatten_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """{field: [messages]} from DRF's nested error detail."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            out.update(flatten_errors(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            out[prefix or "non_field_errors"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                out.update(flatten_errors(item, f"{prefix}.{index}" if prefix else str(index)))
    else:
        out[prefix or "non_field_errors"] = [str(detail)]
    return out


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    """The error document: {"error": {"code", "message", "fields"}}."""
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}


def exception_handler(exc, context):
    """DRF's handler (status, headers such as WWW-Authenticate and Retry-After), the body
    reshaped into the error document. Unexpected exceptions stay 500s (None)."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=as_serializer_error(exc))
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return Response(
            error_body(
                "request_too_large",
                _("The request body is over %(size)s bytes: send fewer items per request.")
                % {"size": f"{limit:,}"},
            ),
            status=413,
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = flatten_errors(exc.detail)
        non_field = fields.get("non_field_errors")
        message = non_field[0] if non_field else _("Some fields are not valid.")
        response.data = error_body("invalid", message, fields)
        return response
    detail = response.data.get("detail") if isinstance(response.data, dict) else None
    code = getattr(detail, "code", None) or getattr(exc, "default_code", None) or "error"
    message = str(detail) if detail is not None else str(exc)
    response.data = error_body(code, message)
    return response
