"""Quote pages (being written)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


quote_list = quote_create = quote_detail = quote_edit = line_add = line_remove = _todo
quote_status = quote_print = _todo
