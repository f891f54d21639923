"""Cursor pagination of every API list: `?cursor=` from the `next`/`previous` links, 50 rows
a page (`?page_size=` up to 200), ordered by a stable key ("-id" unless the view or
`?ordering=` says otherwise). No COUNT, no OFFSET scan: pages stay as fast deep in a list."""

from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"
