"""Simultaneous submissions and approvals on a real PostgreSQL leave exactly the rows they should."""

import threading

import pytest
from django.db import connection

from members.applications import submit_application
from members.approvals import Result, approve_application
from members.models import Application, Membership, User
from tests.factories import make_application, make_tier

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


def test_simultaneous_applications_from_one_email_make_one_row():
    tier = make_tier()

    def apply(n: int):
        return submit_application(
            data={
                "full_name": f"Same Person {n}",
                "email": "same@example.com" if n % 2 else "SAME@example.com",
                "organisation": "Org",
                "role": "Role",
                "link": "",
                "tier": tier,
                "reason": "Racing submissions from one person.",
                "heard_from": "friend",
                "consent": True,
            }
        )

    all_at_once(apply)

    assert Application.objects.count() == 1


def test_simultaneous_applications_from_different_emails_all_count():
    tier = make_tier()
    all_at_once(
        lambda n: submit_application(
            data={
                "full_name": f"Person {n}",
                "email": f"person{n}@example.com",
                "organisation": "Org",
                "role": "Role",
                "link": "",
                "tier": tier,
                "reason": "Many people applying at once.",
                "heard_from": "friend",
                "consent": True,
            }
        )
    )
    assert Application.objects.count() == THREADS


def test_simultaneous_approvals_of_one_application_act_once(django_user_model):
    staff = django_user_model.objects.create_user("staff@example.com", is_staff=True)
    application = make_application(email="once@example.com")

    results = all_at_once(lambda n: approve_application(application, approved_by=staff))

    assert sorted(r.value for r in results) == sorted(
        [Result.DONE.value] + [Result.ALREADY.value] * (THREADS - 1)
    )
    assert User.objects.filter(email__iexact="once@example.com").count() == 1
    assert Membership.objects.count() == 1
