"""Files, assets and a DNS server on loopback for the marketing content tests."""

import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile

from marketing.models import Asset


def png_bytes(width: int = 1, height: int = 1) -> bytes:
    """A real, valid PNG image."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SVG_BYTES = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML_BYTES = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def asset_make(workspace, name="logo.png", data=None) -> Asset:
    """An asset stored through the service (inside the workspace's scope)."""
    from marketing.services.content import asset_upload
    from workspaces.scoping import workspace_scope

    with workspace_scope(workspace):
        return asset_upload(
            workspace=workspace, actor=None, upload=upload(name, data or png_bytes()), name=name
        )
