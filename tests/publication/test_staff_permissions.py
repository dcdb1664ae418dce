"""Staff may do in the admin what their permissions say, and nothing more: an account that
may only view, or has no permission at all, changes no data and sends no email, whether
it posts an action, opens a view, or its request reaches the workflow some other way."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.utils import timezone

from ghost import emails as ghost_emails
from ghost.models import Imported
from letters import weekly
from letters.models import Send
from letters.sending import send_post
from members.approvals import approve_applications, decline_applications, resend_invitations
from members.models import Application, Membership, User
from outbox.models import Email
from tests.factories import make_application, make_article, make_member, make_tier

pytestmark = pytest.mark.django_db


def staff(email: str, *codenames: str) -> User:
    user = User.objects.create_user(email, "a-long-password-for-staff", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return User.objects.get(pk=user.pk)  # permissions are cached on the instance


@pytest.fixture
def viewer() -> User:
    """Staff who may view every list, and nothing else."""
    user = User.objects.create_user("viewer@example.com", "a-long-pw-viewer", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    return User.objects.get(pk=user.pk)


@pytest.fixture
def nobody() -> User:
    """Staff with no permission at all."""
    return staff("nobody@example.com")


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def as_request(user: User):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_every_admin_action_declares_the_permission_it_needs():
    undeclared = [
        f"{model._meta.label}.{name}"
        for model, model_admin in admin.site._registry.items()
        for name, (function, _, _) in model_admin.get_actions(
            as_request(User(is_superuser=True, is_staff=True, is_active=True))
        ).items()
        if not getattr(function, "allowed_permissions", None)
    ]
    assert undeclared == []


def test_staff_who_may_only_view_are_offered_no_action(viewer):
    offered = {
        model._meta.label: list(model_admin.get_actions(as_request(viewer)))
        for model, model_admin in admin.site._registry.items()
    }
    assert {label: actions for label, actions in offered.items() if actions} == {}


@pytest.fixture
def waiting(run_tasks):
    tier = make_tier(name="Patron", slug="patron")
    pending = make_application(tier=tier, email="pending@example.com")
    approved = make_application(tier=tier, email="approved@example.com")
    approve_applications([approved], approved_by=None)
    run_tasks()
    mail.outbox.clear()
    letter = weekly.schedule_next()
    make_article(title="This week's essay", publish_at=timezone.now() - timedelta(hours=1))
    make_member(tier, email="member@example.com")
    imported = make_member(tier, email="imported@example.com")
    Imported.objects.create(kind="member", ghost_id="g1", object_id=imported.pk, written="")
    return {
        "pending": pending,
        "approved": approved,
        "tier": tier,
        "letter": letter,
        "imported": imported,
    }


def what_changed() -> tuple:
    """Everything an action could change or send."""
    return (
        sorted(Application.objects.values_list("email", "status")),
        Membership.objects.count(),
        Email.objects.count(),
        Send.objects.count(),
        len(mail.outbox),
    )


ACTIONS = [
    ("members/application", "approve", "pending", {"confirm": "1"}),
    ("members/application", "decline", "pending", {}),
    ("members/application", "decline_with_email", "pending", {"confirm": "1", "notify": "on"}),
    ("members/application", "resend", "approved", {}),
    ("members/application", "export_csv", "pending", {}),
    ("members/membership", "export_csv", "approved", {}),
    ("members/tier", "admit_next", "tier", {"confirm": "1", "count": "1"}),
    ("letters/weeklyletter", "send_now", "letter", {}),
    ("ghost/importedmember", "send_welcome", "imported", {"confirm": "1"}),
]


@pytest.mark.parametrize("who", ["viewer", "nobody"])
@pytest.mark.parametrize(("changelist", "action", "chosen", "extra"), ACTIONS)
def test_an_action_posted_by_staff_without_its_permission_does_nothing(
    request, waiting, run_tasks, who, changelist, action, chosen, extra
):
    user = request.getfixturevalue(who)
    chosen_pk = waiting[chosen].pk
    if changelist == "members/membership":
        chosen_pk = Membership.objects.get(user__email="approved@example.com").pk
    before = what_changed()

    response = client_of(user).post(
        f"/admin/{changelist}/",
        {"action": action, "_selected_action": [chosen_pk], **extra},
    )
    run_tasks()

    assert what_changed() == before
    assert response.get("Content-Type", "").startswith("text/html")  # no CSV either
    # Staff who may view the list are shown it again, as if no action was chosen.
    assert response.status_code == (200 if who == "viewer" else 403)


@pytest.mark.parametrize(
    ("permission", "changelist", "action", "chosen", "extra", "done"),
    [
        ("change_application", "members/application", "decline", "pending", {},
         lambda: Application.objects.get(email="pending@example.com").status == "declined"),
        ("change_application", "members/tier", "admit_next", "tier",
         {"confirm": "1", "count": "1"},
         lambda: Application.objects.get(email="pending@example.com").status == "approved"),
        ("add_send", "letters/weeklyletter", "send_now", "letter", {},
         lambda: Send.objects.filter(weekly__isnull=False).exists()),
        ("change_importedmember", "ghost/importedmember", "send_welcome", "imported",
         {"confirm": "1"},
         lambda: Email.objects.filter(kind="ghost_welcome").exists()),
    ],
)  # fmt: skip
def test_the_one_permission_an_action_needs_is_enough(
    waiting, permission, changelist, action, chosen, extra, done
):
    model = changelist.split("/")[1]
    user = staff("allowed@example.com", f"view_{model}", permission)
    client_of(user).post(
        f"/admin/{changelist}/",
        {"action": action, "_selected_action": [waiting[chosen].pk], **extra},
    )
    assert done()


@pytest.mark.parametrize(
    ("permission", "changelist"),
    [("export_application", "members/application"), ("export_membership", "members/membership")],
)
def test_exporting_as_csv_needs_the_export_permission(waiting, permission, changelist):
    model = changelist.split("/")[1]
    viewer_only = client_of(staff("viewer-only@example.com", f"view_{model}"))
    exporter = client_of(staff("exporter@example.com", f"view_{model}", permission))
    chosen = (
        Membership.objects.values_list("pk", flat=True)
        if "membership" in changelist
        else [waiting["pending"].pk]
    )
    form = {"action": "export_csv", "_selected_action": list(chosen)}

    refused = viewer_only.post(f"/admin/{changelist}/", form)
    exported = exporter.post(f"/admin/{changelist}/", form)

    assert (refused.status_code, refused["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert exported["Content-Type"] == "text/csv; charset=utf-8"
    assert b"pending@example.com" in exported.content or b"approved@example.com" in exported.content


def test_a_view_only_account_may_not_open_send_by_email(waiting, viewer, nobody):
    post = make_article(title="An essay to send")
    mail.outbox.clear()
    address = f"/admin/articles/article/{post.pk}/send/"
    for user in (viewer, nobody):
        client = client_of(user)
        assert client.get(address).status_code == 403
        assert client.post(address, {"audience": "all", "send": "1"}).status_code == 403
        assert client.post(address, {"audience": "all", "test": "1"}).status_code == 403
    assert (Send.objects.count(), len(mail.outbox)) == (0, 0)
    # Nor is the way there offered on the post's page.
    page = client_of(viewer).get(f"/admin/articles/article/{post.pk}/change/")
    assert page.status_code == 200
    assert b"Send by email" not in page.content


def test_who_may_send_sees_the_way_there_and_sends(waiting, run_tasks):
    post = make_article(title="An essay to send")
    sender = client_of(staff("sender@example.com", "view_article", "add_send"))
    page = sender.get(f"/admin/articles/article/{post.pk}/change/")
    assert b"Send by email" in page.content
    sent = sender.post(
        f"/admin/articles/article/{post.pk}/send/",
        {"audience": "all", "preview_as": "included", "send": "1"},
    )
    assert sent.status_code == 302
    assert Send.objects.get(article=post).sent_by.email == "sender@example.com"


def test_staff_with_no_permission_see_no_preview_or_progress(waiting, nobody, staff_user):
    post = make_article(title="A members' essay")
    send = send_post(post, audience=Send.Audience.ALL, tier=None, sent_by=staff_user)
    client = client_of(nobody)
    addresses = [
        f"/admin/letters/weeklyletter/{waiting['letter'].pk}/preview/",
        f"/admin/letters/send/{send.pk}/progress/",
        f"/admin/articles/article/{post.pk}/send/preview/",
    ]
    assert [client.get(address).status_code for address in addresses] == [403, 403, 403]
    allowed = client_of(staff("reader-of-letters@example.com", "view_weeklyletter", "view_send"))
    assert [allowed.get(address).status_code for address in addresses[:2]] == [200, 200]


def test_the_workflows_refuse_staff_without_the_permission(waiting, viewer):
    pending, approved = waiting["pending"], waiting["approved"]
    post = make_article(title="Anything")
    refused = {
        "approve": lambda: approve_applications([pending], approved_by=viewer),
        "decline": lambda: decline_applications([pending], declined_by=viewer, notify=True),
        "resend": lambda: resend_invitations([approved], resent_by=viewer),
        "send a post": lambda: send_post(post, audience="all", tier=None, sent_by=viewer),
        "send the weekly letter": lambda: weekly.send_now(waiting["letter"], sent_by=viewer),
        "welcome": lambda: ghost_emails.welcome([waiting["imported"]], sent_by=viewer),
    }
    before = what_changed()
    for name, attempt in refused.items():
        with pytest.raises(PermissionDenied, match=r"viewer@example\.com may not do this"):
            attempt()
        assert what_changed() == before, name
