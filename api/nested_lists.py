"""Lists nested under one record (a deal's stage changes, a case's messages, a segment's
members), paged like every API list: cursor links, `?page_size=` up to 200, no COUNT."""

from .pagination import CursorPagination


def nested_page(view, queryset, serializer_class, *, ordering: tuple[str, ...]):
    """The paged response of `queryset` in `ordering` (its first key should be unique or
    nearly so and never null) for the action `view` runs; the view's own filters and
    `?ordering=` do not apply to it."""
    paginator = CursorPagination()
    paginator.ordering = ordering
    page = paginator.paginate_queryset(queryset, view.request, view=None)
    data = serializer_class(page, many=True, context=view.get_serializer_context()).data
    return paginator.get_paginated_response(data)
