"""The one check for "where to go next" addresses taken from a request (`?next=`, a hidden
`next` field): only a path on this site is followed, never another host
(`//evil.example`, `https://evil.example`, `/\\evil.example`) or another scheme
(`javascript:`). Every view that redirects to a user-supplied address uses it.
"""

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(request, candidate: str | None, *, default: str, within: str = "") -> str:
    """`candidate` when it is safe to redirect to, else `default`.

    Safe means: Django's `url_has_allowed_host_and_scheme` accepts it for this request's
    host (https only when the request is secure), it is a path (starts with one "/"), and,
    when `within` is given (e.g. "/w/acme/"), it starts with that prefix, so a workspace
    page only sends people on inside its workspace."""
    url = (candidate or "").strip()
    if not url or not url.startswith("/") or url.startswith("//"):
        return default
    if not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return default
    if within and not url.startswith(within):
        return default
    return url


def workspace_next_url(request, candidate: str | None, *, default: str) -> str:
    """`safe_next_url` limited to pages of the request's workspace (`/w/<slug>/…`)."""
    return safe_next_url(
        request, candidate, default=default, within=f"/w/{request.workspace.slug}/"
    )
