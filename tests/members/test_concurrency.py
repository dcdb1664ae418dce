"""Simultaneous confirmations and approvals on a real PostgreSQL leave exactly the rows they should."""

import threading

import pytest
from django.contrib.auth.models import Permission
from django.db import connection

from members.applications import confirm
from members.approvals import Result, approve_application
from members.models import Application, Membership, User
from tests.factories import make_application, make_submission, make_tier

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's row locks"),
]
THREADS = 8


def all_at_once(work) -> list:
    """Run work(n) in THREADS threads released together; return their results."""
    barrier = threading.Barrier(THREADS)
    results: list = [None] * THREADS

    def run(n: int) -> None:
        try:
            barrier.wait()
            results[n] = work(n)
        except Exception as error:  # reported below, with the thread's number
            results[n] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not [r for r in results if isinstance(r, Exception)], results
    return results


def test_a_confirmation_link_followed_at_once_in_many_tabs_makes_one_application():
    tier = make_tier()
    once = make_submission(tier=tier, email="same@example.com")

    results = all_at_once(lambda n: confirm(once))

    assert Application.objects.count() == 1
    assert [r.created for r in results if r is not None] == [True]
    assert results.count(None) == THREADS - 1


def test_simultaneous_confirmations_from_one_address_make_one_application():
    tier = make_tier()
    submissions = [make_submission(tier=tier, email="same@example.com") for _ in range(THREADS)]

    results = all_at_once(lambda n: confirm(submissions[n]))

    (application,) = Application.objects.all()
    assert [r.created for r in results].count(True) == 1
    assert {r.application.pk for r in results} == {application.pk}


def test_simultaneous_confirmations_from_different_addresses_all_count():
    tier = make_tier()
    submissions = [make_submission(tier=tier) for _ in range(THREADS)]
    all_at_once(lambda n: confirm(submissions[n]))
    assert Application.objects.count() == THREADS


def test_simultaneous_approvals_of_one_application_act_once(django_user_model):
    staff = django_user_model.objects.create_user("staff@example.com", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="change_application"))
    application = make_application(email="once@example.com")

    results = all_at_once(lambda n: approve_application(application, approved_by=staff))

    assert sorted(r.value for r in results) == sorted(
        [Result.DONE.value] + [Result.ALREADY.value] * (THREADS - 1)
    )
    assert User.objects.filter(email__iexact="once@example.com").count() == 1
    assert Membership.objects.count() == 1
