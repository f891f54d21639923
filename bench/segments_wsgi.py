"""The WSGI application bench/segments.py serves with gunicorn: the project's own, pointed at
the benchmark database, with DEBUG's query log switched off (bench.common.setup_django)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import setup_django  # noqa: E402

setup_django()

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
