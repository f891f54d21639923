"""Cursor pagination of every API list: `?cursor=` from the `next`/`previous` links, 50 rows
a page (`?page_size=` up to 200), ordered by a stable key ("-id" unless the view or
`?ordering=` says otherwise). No COUNT, no OFFSET scan: pages stay as fast deep in a list."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import pagination
from rest_framework.exceptions import NotFound


class CursorPagination(pagination.CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"

    def paginate_queryset(self, queryset, request, view=None):
        """DRF's page, but a cursor whose position does not fit the ordering's column (a
        tampered `p=abc` for an id) is a 404 "Invalid cursor" like any other bad cursor,
        not a database error."""
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, TypeError, OverflowError, DjangoValidationError):
            raise NotFound(self.invalid_cursor_message) from None
