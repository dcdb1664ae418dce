import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import ValidationError

pytestmark = pytest.mark.django_db


def test_email_is_the_login():
    user = get_user_model().objects.create_user("Reader@Example.COM", "a-long-password")
    assert str(user) == "reader@example.com"  # one canonical form (members/addresses.py)
    assert authenticate(username="reader@EXAMPLE.com", password="a-long-password") == user
    assert authenticate(username=" reader@example.com ", password="a-long-password") == user


def test_one_account_per_email_whatever_its_case():
    get_user_model().objects.create_user("reader@example.com")
    duplicate = get_user_model()(email="READER@example.com")
    with pytest.raises(ValidationError) as error:
        duplicate.validate_constraints()
    assert error.value.messages == ["A user with this email address already exists."]


def test_an_email_is_required():
    with pytest.raises(ValueError, match=r"An email address is required\."):
        get_user_model().objects.create_user("")


@pytest.mark.parametrize("make", ["create_user", "create_superuser"])
def test_accounts_made_by_staff_can_change_email_later(client, make):
    """allauth starts an email change from the recorded, verified login address."""
    user = getattr(get_user_model().objects, make)("staff@example.com", "a-long-password")
    client.force_login(user)
    client.post("/accounts/email/", {"action_add": "", "email": "new@example.com"})
    user.refresh_from_db()
    assert user.email == "staff@example.com"


def test_users_added_in_admin_get_the_address_record(staff_client):
    from allauth.account.models import EmailAddress

    staff_client.post(
        "/admin/members/user/add/",
        {
            "email": "added@example.com",
            "usable_password": "false",
            "membership-TOTAL_FORMS": "0",
            "membership-INITIAL_FORMS": "0",
            "emails-TOTAL_FORMS": "0",
            "emails-INITIAL_FORMS": "0",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )
    assert EmailAddress.objects.get(email="added@example.com").verified
