"""Uploads go through Django's storage API to the backend the environment names: with
MEDIA_STORAGE=s3 an import file written by one process is in the bucket, where a worker on
another host reads it. The S3 endpoint is moto's S3 server on loopback (speaking the S3 HTTP
protocol, as MinIO or R2 would); settings are loaded in production mode in a subprocess."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
BUCKET = "crm-media"
KEYS = {"aws_access_key_id": "crm-test-key", "aws_secret_access_key": "crm-test-secret"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **KEYS)
    client.create_bucket(Bucket=BUCKET)
    yield endpoint, client
    server.stop()


def production_env(tmp_path, **overrides):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "crm_site.settings",
        "SECRET_KEY": "x" * 64,
        "ALLOWED_HOSTS": "crm.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "SITE_URL": "https://crm.example.com",
        "EMAIL_URL": "smtp://mail.example.com:587",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/14",
        "CACHE_URL": "redis://127.0.0.1:6379/14",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    env.update(overrides)
    return env


WRITE = """
import django; django.setup()
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from contacts.models import ImportJob
storage = ImportJob._meta.get_field("file").storage  # where import uploads go
name = storage.save("imports/2026/01/import.csv", ContentFile(b"email\\nana@example.com\\n"))
with storage.open(name, "rb") as fh:
    body = fh.read()
print(type(storages["default"]).__name__, name, body == b"email\\nana@example.com\\n",
      "X-Amz-Signature=" in storage.url(name))
"""


def test_s3_storage_stores_uploads_in_the_bucket(tmp_path, s3_endpoint):
    endpoint, client = s3_endpoint
    env = production_env(
        tmp_path,
        MEDIA_STORAGE="s3",
        S3_BUCKET=BUCKET,
        S3_ENDPOINT_URL=endpoint,
        S3_REGION="us-east-1",
        S3_ACCESS_KEY_ID=KEYS["aws_access_key_id"],
        S3_SECRET_ACCESS_KEY=KEYS["aws_secret_access_key"],
        S3_ADDRESSING_STYLE="path",
    )
    result = subprocess.run(
        [sys.executable, "-c", WRITE], cwd=BASE_DIR, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    backend, name, read_back, signed = result.stdout.split()
    assert (backend, name, read_back, signed) == (
        "S3Storage",
        "imports/2026/01/import.csv",
        "True",
        "True",  # private objects: links are signed
    )
    stored = client.get_object(Bucket=BUCKET, Key=name)["Body"].read()
    assert stored == b"email\nana@example.com\n"
    assert not (tmp_path / "media").exists()  # nothing on the web node's disk


def test_filesystem_storage_writes_under_media_root(tmp_path):
    env = production_env(tmp_path, MEDIA_STORAGE="filesystem")
    result = subprocess.run(
        [sys.executable, "-c", WRITE], cwd=BASE_DIR, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split()[:3] == ["FileSystemStorage", "imports/2026/01/import.csv", "True"]
    assert (tmp_path / "media" / "imports/2026/01/import.csv").read_bytes().startswith(b"email")
