"""The rate limit per API key: `API_RATE_LIMIT` requests (settings, e.g. "600/min"), counted
in the shared cache; beyond it 429 with `Retry-After` (seconds)."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiKey


class ApiKeyRateThrottle(SimpleRateThrottle):
    scope = "api_key"

    def get_rate(self) -> str:
        return settings.API_RATE_LIMIT

    def get_cache_key(self, request, view) -> str | None:
        api_key = request.auth
        if not isinstance(api_key, ApiKey):
            return None  # no key: the authentication refuses the request
        return f"api-throttle:{api_key.pk}"
