from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone

from members.approvals import Result, approve_application, decline_application, resend_invitation
from members.models import Application, Membership, User
from tests.factories import make_application, make_tier

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(run_tasks):
    """Call a workflow, then let the worker send the emails it queued."""

    def call(workflow, *args, **kwargs):
        result = workflow(*args, **kwargs)
        run_tasks()
        return result

    return call


def test_approving_makes_a_member_of_the_asked_tier_and_invites_them(run, staff_user):
    application = make_application(full_name="Ada Lovelace King", email="ada@example.com")

    assert run(approve_application, application, approved_by=staff_user) is Result.DONE

    user = User.objects.get(email="ada@example.com")
    assert (user.first_name, user.last_name, user.has_usable_password()) == (
        "Ada",
        "Lovelace King",
        False,
    )
    membership = user.membership
    assert (membership.tier, membership.status, membership.ends_at) == (
        application.tier,
        Membership.Status.ACTIVE,
        None,
    )
    assert membership.is_active
    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED
    assert (application.user, application.reviewed_by) == (user, staff_user)
    assert application.reviewed_at is not None
    assert application.invitation_sent_at is not None
    assert EmailAddress.objects.get(user=user).email == "ada@example.com"
    (invitation,) = mail.outbox
    assert invitation.to == ["ada@example.com"]
    assert invitation.subject == "Welcome to The Ledger: your invitation"
    assert "http://127.0.0.1:8000/membership/welcome/" in invitation.body
    assert f"with the {application.tier.name} package" in invitation.body


def test_approving_twice_makes_one_user_one_membership_one_invitation(run, staff_user):
    application = make_application()
    results = [run(approve_application, application, approved_by=staff_user) for _ in range(2)]
    assert results == [Result.DONE, Result.ALREADY]
    assert User.objects.filter(email=application.email).count() == 1
    assert Membership.objects.count() == 1
    assert len(mail.outbox) == 1


def test_staff_may_grant_another_tier_with_an_end(run, staff_user):
    application = make_application()
    patron = make_tier(name="Patron")
    ends = timezone.now() + timedelta(days=365)

    run(approve_application, application, tier=patron, approved_by=staff_user, ends_at=ends)

    membership = Membership.objects.get()
    assert (membership.tier, membership.ends_at) == (patron, ends)


def test_approving_reuses_an_existing_account(run, staff_user, django_user_model):
    existing = django_user_model.objects.create_user("ADA@example.com", "pw-already-set")
    application = make_application(email="ada@example.com")

    run(approve_application, application, approved_by=staff_user)

    assert django_user_model.objects.filter(email__iexact="ada@example.com").count() == 1
    assert Membership.objects.get().user == existing
    assert existing.check_password("pw-already-set")


def test_declining_with_and_without_email(run, staff_user):
    quiet, told = make_application(), make_application(email="told@example.com")

    assert run(decline_application, quiet, declined_by=staff_user, notify=False) is Result.DONE
    assert mail.outbox == []
    assert run(decline_application, told, declined_by=staff_user, notify=True) is Result.DONE
    (message,) = mail.outbox
    assert message.to == ["told@example.com"]
    assert "We are not able to offer you a membership at this time." in message.body
    assert run(decline_application, told, declined_by=staff_user, notify=True) is Result.ALREADY
    assert len(mail.outbox) == 1
    told.refresh_from_db()
    assert (told.status, told.reviewed_by) == (Application.Status.DECLINED, staff_user)


def test_an_approved_application_cannot_be_declined(run, staff_user):
    application = make_application()
    run(approve_application, application, approved_by=staff_user)
    assert (
        run(decline_application, application, declined_by=staff_user, notify=True)
        is Result.NOT_APPLICABLE
    )
    assert Application.objects.get().status == Application.Status.APPROVED


def test_resending_an_invitation(run, staff_user):
    pending = make_application()
    assert run(resend_invitation, pending) is Result.NOT_APPLICABLE

    run(approve_application, pending, approved_by=staff_user)
    assert run(resend_invitation, pending) is Result.DONE
    assert [m.subject for m in mail.outbox] == ["Welcome to The Ledger: your invitation"] * 2

    User.objects.filter(email=pending.email).update(last_login=timezone.now())
    assert run(resend_invitation, pending) is Result.ALREADY
    assert len(mail.outbox) == 2
