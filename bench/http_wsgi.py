"""The WSGI application `make bench` serves with gunicorn (bench/http_bench.py): the project's own
(crm_site.wsgi, production settings from the environment, unchanged) inside a thin wrapper that
counts the SQL statements each request runs and returns the count in the response header
X-Bench-Queries.

The count comes from `connection.execute_wrapper` around the request: every statement Django
sends through a cursor of the default connection. Not in it: the backend's `set_config` round
trip when the workspace scope changes (workspaces/db/postgresql, sent on psycopg's own cursor,
at most one per scope change) and statements run while a streamed body is read (the count is
taken when the view has returned, at start_response).
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_site.settings")

from django.db import connection  # noqa: E402

from crm_site.wsgi import application as django_application  # noqa: E402

HEADER = "X-Bench-Queries"


def application(environ, start_response):
    """The project's WSGI app with the statement count in the response headers."""
    count = 0

    def counting(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    def start(status, headers, exc_info=None):
        return start_response(status, [*headers, (HEADER, str(count))], exc_info)

    with connection.execute_wrapper(counting):
        return django_application(environ, start)
