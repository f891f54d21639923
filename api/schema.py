"""OpenAPI (drf-spectacular) extension: the API key scheme appears as HTTP bearer auth."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "crm_<prefix>_<secret>",
            "description": "A workspace API key (workspace settings → API keys).",
        }
