"""Answer 405 for a method a resource does not offer, whatever the key's role.

DRF checks permissions before it looks for the handler, so a read-only resource would answer
a DELETE with 403 to one key and 405 to another; the method's absence is the answer that
does not depend on who asks. Requests without a valid key still get their 401."""

from .models import ApiKey


class OfferedMethodsFirst:
    """Mixin for viewsets that narrow `http_method_names` (see the module)."""

    def check_permissions(self, request):
        if (
            isinstance(request.auth, ApiKey)
            and request.method.lower() not in self.http_method_names
        ):
            return  # the handler lookup answers 405
        super().check_permissions(request)
