"""The public address of an asset: /ma/<workspace slug>/<signed id>/<file name>. Mail
clients fetch images without a login, so the address is public but unguessable (the id is
signed) and names its workspace (the page enters that scope only)."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

_SALT = "marketing.asset"


def asset_token(asset_id: int) -> str:
    return signing.Signer(salt=_SALT).sign(str(int(asset_id)))


def asset_id_from_token(token: str) -> int | None:
    try:
        return int(signing.Signer(salt=_SALT).unsign(token or ""))
    except (signing.BadSignature, ValueError):
        return None


def asset_public_url(asset, workspace) -> str:
    """The absolute URL (SITE_URL based) to insert in a template."""
    name = asset.file.name.rsplit("/", 1)[-1]
    path = reverse(
        "marketing_asset",
        kwargs={"ws": workspace.slug, "token": asset_token(asset.pk), "name": name},
    )
    return f"{settings.SITE_URL}{path}"
