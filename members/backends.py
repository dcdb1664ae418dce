"""Django's and allauth's login backends, loading a reader with what the gate asks about.

The user of every logged-in request comes with their membership (and its tier) and
their contributor profile in one query, so members.access decides what they may
read without a query of its own. The statement is written once (publication/statements.py)
and its row made into the instances select_related would make, each relation cached, an
absent one as None.
"""

from functools import cache

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import backends, get_user_model

from articles.models import Contributor
from publication.statements import Selected, prepared_cursor

from . import readers
from .models import Membership, Tier


class ReaderStatement:
    def __init__(self) -> None:
        self.user = user = Selected(get_user_model(), "u")
        self.membership = membership = Selected(Membership, "m", start=user.columns.stop)
        self.tier = tier = Selected(Tier, "t", start=membership.columns.stop)
        self.contributor = profile = Selected(Contributor, "c", start=tier.columns.stop)
        columns = ", ".join(part.sql() for part in (user, membership, tier, profile))
        self.sql = (
            f"SELECT {columns} FROM {user.table()}"  # noqa: S608 (names from the models)
            f" LEFT JOIN {membership.table()} ON {membership.column('user')} = {user.column('id')}"
            f" LEFT JOIN {tier.table()} ON {tier.column('id')} = {membership.column('tier')}"
            f" LEFT JOIN {profile.table()} ON {profile.column('user')} = {user.column('id')}"
            f" WHERE {user.column('id')} = %s"
        )


@cache
def reader_statement() -> ReaderStatement:
    return ReaderStatement()


def reader_row(user_id):
    with prepared_cursor() as cursor:
        cursor.execute(reader_statement().sql, [user_id])
        return cursor.fetchone()


def reader_from(row):
    """The user, with membership (and its tier) and contributor profile, made afresh from
    the row: a request may change its user, never the next request's."""
    statement = reader_statement()
    user = statement.user.instance(row)
    membership = statement.membership.instance(row)
    contributor = statement.contributor.instance(row)
    users = get_user_model()
    users.membership.related.set_cached_value(user, membership)
    users.contributor.related.set_cached_value(user, contributor)
    if membership is not None:
        Membership.user.field.set_cached_value(membership, user)
        Membership.tier.field.set_cached_value(membership, statement.tier.instance(row))
    if contributor is not None:
        Contributor.user.field.set_cached_value(contributor, user)
    return user


class LoadsReader:
    def get_user(self, user_id):
        # This worker's copy of the row while the readers' generation stands (readers.py).
        row = readers.kept_rows.row(user_id, reader_row)
        user = reader_from(row) if row is not None else None
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(LoadsReader, backends.ModelBackend):
    pass


class AllauthBackend(LoadsReader, AuthenticationBackend):
    pass
