"""Statements written once for the queries every request makes, their rows made into
instances as the ORM makes them.

Building a query took Django longer than PostgreSQL took to run it: for the member's
reader (1.8 ms of a 12 ms post page, under py-spy) and for the post by its slug, whose
raw query still worked out on each request which column was which field (a tenth of a
visitor's post page). Here that is worked out once per process; each value still goes
through the converters the ORM would use. On PostgreSQL, each statement is also planned
once per connection (prepared_cursor).
"""

from functools import cache

from django.db import connection
from django.db.models import Model


def prepared_cursor():
    """A cursor whose statements PostgreSQL plans once per connection
    (publication/postgresql); elsewhere, Django's cursor."""
    prepared = getattr(connection, "prepared_cursor", None)
    return prepared() if prepared else connection.cursor()


class Selected:
    """One model's columns in a statement: their SQL, where they sit in its rows, and how
    each value is converted on the way in."""

    def __init__(
        self, model: type[Model], alias: str, *, start: int = 0, leave_out=(), only=()
    ) -> None:
        self.model, self.alias = model, alias
        self.fields = [
            field
            for field in model._meta.concrete_fields
            if field.name not in leave_out and (not only or field.name in only)
        ]
        self.names = [field.attname for field in self.fields]
        self.columns = slice(start, start + len(self.fields))
        self.pk = start + self.fields.index(model._meta.pk)  # None there: no row joined
        self._converters = None

    def sql(self) -> str:
        return ", ".join(self.column(field.name) for field in self.fields)

    def column(self, name: str) -> str:
        """A field's column, qualified, for a statement's columns, joins and conditions."""
        return f"{self.alias}.{connection.ops.quote_name(self.model._meta.get_field(name).column)}"

    def table(self) -> str:
        return f"{connection.ops.quote_name(self.model._meta.db_table)} {self.alias}"

    def instance(self, row) -> Model | None:
        if row[self.pk] is None:
            return None
        values = list(row[self.columns])
        for position, converters, col in self.converters():
            for convert in converters:
                values[position] = convert(values[position], col, connection)
        return self.model.from_db(connection.alias, self.names, values)

    def converters(self) -> list:
        """Where a value needs converting and how: as SQLCompiler.get_converters says."""
        if self._converters is None:
            cols = [field.get_col(self.alias) for field in self.fields]
            found = [
                (n, connection.ops.get_db_converters(col) + col.get_db_converters(connection), col)
                for n, col in enumerate(cols)
            ]
            self._converters = [converter for converter in found if converter[1]]
        return self._converters


def slug_row(model: type[Model], slug: str, *, leave_out: tuple[str, ...] = ()) -> tuple | None:
    """The row of `model` whose (unique) slug is `slug`, whole but for `leave_out`; made
    into an instance by from_slug_row."""
    sql, _ = by_slug_statement(model, leave_out)
    with prepared_cursor() as cursor:
        cursor.execute(sql, [slug])
        return cursor.fetchone()


def from_slug_row(model: type[Model], row: tuple, *, leave_out: tuple[str, ...] = ()) -> Model:
    return by_slug_statement(model, leave_out)[1].instance(row)


@cache
def by_slug_statement(model: type[Model], leave_out: tuple[str, ...]) -> tuple[str, Selected]:
    selected = Selected(model, "a", leave_out=leave_out)
    where = f"{selected.column('slug')} = %s"
    return f"SELECT {selected.sql()} FROM {selected.table()} WHERE {where}", selected  # noqa: S608
