"""API key authentication: `Authorization: Bearer crm_<prefix>_<secret>`.

A request with a valid key gets `request.user` = an `ApiKeyPrincipal` and `request.auth` = the
`ApiKey`; the key's workspace is the request's workspace (views enter its scope, see
api.viewsets.WorkspaceAPIMixin). A missing key is a 401 (`NotAuthenticated`), a malformed,
unknown or revoked one a 401 (`AuthenticationFailed`), both with `WWW-Authenticate: Bearer`."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .selectors.keys import api_key_resolve
from .services.keys import api_key_touch


class ApiKeyPrincipal:
    """The user-like caller of an API request: its key, the workspace and role it acts in,
    and `actor`, the key's creator (None for a key made by an operator's command) that the
    services record as the one who changed something."""

    is_authenticated = True
    is_anonymous = False
    is_active = True

    def __init__(self, api_key):
        self.api_key = api_key
        self.workspace = api_key.workspace
        self.role = api_key.role
        self.actor = api_key.created_by

    @property
    def pk(self):
        return self.actor.pk if self.actor is not None else None

    def __str__(self) -> str:
        return f"API key {self.api_key.prefix}"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <key>` (the scheme case-insensitive). No key: None (DRF then
    answers 401 for views that need one)."""

    keyword = "bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Give the key as “Authorization: Bearer <key>”.")
            )
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("The API key is not valid.")) from None
        api_key = api_key_resolve(key)
        if api_key is None:
            raise exceptions.AuthenticationFailed(
                _(
                    "The API key is not valid, was revoked, or has more rights than its "
                    "creator's current role."
                )
            )
        api_key_touch(api_key=api_key)
        return ApiKeyPrincipal(api_key), api_key

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'
