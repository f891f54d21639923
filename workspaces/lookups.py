"""`field__in_array=values`: membership in a long list of values, for bulk work (an import
matching 2,000 keys per batch).

Django's `__in` writes one placeholder per value, and psycopg's client-side binding (Django's
default) rewrites the query text in Python on every execution: for lists of thousands that
is most of a lookup's cost. On PostgreSQL this lookup sends the values as ONE array
parameter, `col = ANY(%s)`, which the server plans like IN; elsewhere it is `__in`. Values
must already be the column's database values (strings for text columns, ints for integer
ones); an empty list matches nothing."""

from django.core.exceptions import EmptyResultSet
from django.db.models import CharField, IntegerField, Lookup


class InArray(Lookup):
    lookup_name = "in_array"
    prepare_rhs = False

    def get_prep_lookup(self):
        return list(self.rhs)

    def as_sql(self, compiler, connection):
        if not self.rhs:
            raise EmptyResultSet
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", (*lhs_params, list(self.rhs))
        placeholders = ", ".join(["%s"] * len(self.rhs))
        return f"{lhs} IN ({placeholders})", (*lhs_params, *self.rhs)


def register() -> None:
    """Make `__in_array` available on text and integer columns (called once from
    WorkspacesConfig.ready)."""
    CharField.register_lookup(InArray)
    IntegerField.register_lookup(InArray)
