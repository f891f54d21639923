"""The production build: `collectstatic` with the production storage (whitenoise's
CompressedManifestStaticFilesStorage), run as the Dockerfile runs it, in a subprocess."""

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
STATIC = BASE_DIR / "static"
SOURCE_MAP = re.compile(r"sourceMappingURL=([^\s*]+)")


def dockerfile_build_env() -> dict[str, str]:
    """The variables the Dockerfile's collectstatic step sets (NAME=value words before the
    command)."""
    text = (BASE_DIR / "Dockerfile").read_text().replace("\\\n", " ")
    line = next(line for line in text.splitlines() if "collectstatic" in line)
    words = shlex.split(line.strip().removeprefix("RUN"))
    assignments = {}
    for word in words:
        name, equals, value = word.partition("=")
        if not (equals and name.isupper()):
            break
        assignments[name] = value
    return assignments


def test_collectstatic_with_the_production_storage_succeeds(tmp_path):
    build = dockerfile_build_env()
    assert "DEBUG" not in build  # the production storage: DEBUG off
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        **build,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'build.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "staticfiles"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]

    root = tmp_path / "staticfiles"
    paths = json.loads((root / "staticfiles.json").read_text())["paths"]
    for name in ("bootstrap.min.css", "bootstrap.bundle.min.js", "chart.umd.min.js"):
        hashed = paths[f"vendor/{name}"]
        assert re.search(r"\.[0-9a-f]{12}\.", hashed)
        assert (root / (hashed + ".gz")).exists()  # compressed for whitenoise
        # the source map reference now names the hashed map, which was collected
        reference = SOURCE_MAP.search((root / hashed).read_text()).group(1)
        assert reference == Path(paths[f"vendor/{name}.map"]).name
        assert (root / "vendor" / reference).exists()


def test_every_source_map_a_static_file_names_is_shipped():
    """An updated vendor file whose map is not copied fails here, before the build does."""
    for path in [*STATIC.rglob("*.js"), *STATIC.rglob("*.css")]:
        for reference in SOURCE_MAP.findall(path.read_text(errors="replace")):
            if not reference.startswith("data:"):
                assert (path.parent / reference).exists(), f"{path}: {reference} is missing"
