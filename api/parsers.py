"""The API's request parser: DRF's JSON parser, with nesting too deep for Python's parser
(`[[[[…` a hundred thousand levels) answered as a parse error (400) instead of a crash."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the document is nested too deeply.") from None
