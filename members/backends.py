"""Django's and allauth's login backends, loading a reader with what the gate asks about.

The user of every logged-in request comes with their membership (and its tier) and
their contributor profile in one query, so members.access decides what they may
read without a query of its own.

That query is written once, not built by the ORM on each request: building it took
longer than running it (under py-spy, 1.8 ms of a member's 12 ms post page, against 1 ms
for the round trip). The rows become instances as select_related makes them: each
value through the same converters, each relation cached, an absent one as None.
"""

from dataclasses import dataclass
from functools import cache

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import backends, get_user_model
from django.db import connection
from django.db.models import Model
from django.db.models.expressions import Col

from articles.models import Contributor

from .models import Membership, Tier


@dataclass(frozen=True)
class Part:
    """One table of the statement: its model, and the columns of the row that are its."""

    model: type[Model]
    names: list[str]  # its fields' attribute names, in the order of its columns
    columns: slice
    pk: int  # where its primary key is: None there, and a LEFT JOIN found no row
    converters: list[tuple[int, list, Col]]  # where a value needs converting, and how


@dataclass(frozen=True)
class ReaderStatement:
    sql: str
    user: Part
    membership: Part
    tier: Part
    contributor: Part


@cache
def reader_statement() -> ReaderStatement:
    users = get_user_model()
    quote = connection.ops.quote_name

    def column(model, name: str) -> str:
        return quote(model._meta.get_field(name).column)

    tables = [
        (users, "u", ""),
        (Membership, "m", f"m.{column(Membership, 'user')} = u.{column(users, 'id')}"),
        (Tier, "t", f"t.{column(Tier, 'id')} = m.{column(Membership, 'tier')}"),
        (Contributor, "c", f"c.{column(Contributor, 'user')} = u.{column(users, 'id')}"),
    ]
    selected, joins, parts, start = [], [], [], 0
    for model, alias, on in tables:
        fields = model._meta.concrete_fields
        cols = [field.get_col(alias) for field in fields]
        selected += [f"{alias}.{quote(field.column)}" for field in fields]
        table = f"{quote(model._meta.db_table)} {alias}"
        joins.append(f"LEFT JOIN {table} ON {on}" if on else table)
        converters = [
            (
                start + n,
                connection.ops.get_db_converters(col) + col.get_db_converters(connection),
                col,
            )
            for n, col in enumerate(cols)
        ]
        parts.append(
            Part(
                model,
                names=[field.attname for field in fields],
                columns=slice(start, start + len(fields)),
                pk=start + list(fields).index(model._meta.pk),
                converters=[converter for converter in converters if converter[1]],
            )
        )
        start += len(fields)
    sql = f"SELECT {', '.join(selected)} FROM {' '.join(joins)} WHERE u.{column(users, 'id')} = %s"  # noqa: S608
    return ReaderStatement(sql, *parts)


def load_reader(user_id):
    """The user, with membership (and its tier) and contributor profile, or None."""
    statement = reader_statement()
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, [user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    row = list(row)
    user = instance(statement.user, row)
    membership = instance(statement.membership, row)
    contributor = instance(statement.contributor, row)
    users = get_user_model()
    users.membership.related.set_cached_value(user, membership)
    users.contributor.related.set_cached_value(user, contributor)
    if membership is not None:
        Membership.user.field.set_cached_value(membership, user)
        Membership.tier.field.set_cached_value(membership, instance(statement.tier, row))
    if contributor is not None:
        Contributor.user.field.set_cached_value(contributor, user)
    return user


def instance(part: Part, row: list) -> Model | None:
    if row[part.pk] is None:
        return None
    values = row[part.columns]
    for position, converters, col in part.converters:
        value = row[position]
        for convert in converters:
            value = convert(value, col, connection)
        values[position - part.columns.start] = value
    return part.model.from_db(connection.alias, part.names, values)


class LoadsReader:
    def get_user(self, user_id):
        user = load_reader(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(LoadsReader, backends.ModelBackend):
    pass


class AllauthBackend(LoadsReader, AuthenticationBackend):
    pass
