"""Ghost's members export: accounts without passwords, memberships of their package, the
letter as they chose, nothing emailed until staff send the welcome."""

import io
import re
import shutil
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client

from articles.models import Article
from letters.models import Send
from letters.sending import send_post
from members.models import User
from outbox.models import Email

pytestmark = pytest.mark.django_db
EXPORTS = Path(__file__).parent / "exports"


def import_ghost(*options) -> str:
    out = io.StringIO()
    call_command("import_ghost", str(EXPORTS / "ghost5.json"), *options, stdout=out)
    return out.getvalue()


def members_csv(tmp_path: Path, text: str | None = None) -> str:
    path = tmp_path / "members.csv"
    if text is None:
        shutil.copy(EXPORTS / "members5.csv", path)
    else:
        path.write_text(text)
    return str(path)


def test_members_become_accounts_with_the_membership_ghost_gave_them(tmp_path, run_tasks):
    report = import_ghost("--members", members_csv(tmp_path))

    assert "members: 3 created, 1 skipped (deleted in Ghost)" in report
    assert "free subscribers: 1 created" in report
    assert "to check: members.csv: columns not imported: stripe_customer_id" in report
    ada = User.objects.get(email="ada.lovelace@example.com")  # canonical
    grace = User.objects.get(email="grace@example.com")
    comp = User.objects.get(email="comp@example.com")
    assert (ada.membership.tier.name, grace.membership.tier.name) == ("Gold", "Patron")
    assert comp.membership.tier.name == "Gold"  # complimentary: the lowest paid package
    assert (ada.receives_letter, grace.receives_letter) == (True, False)
    assert ada.membership.started_at.isoformat() == "2023-05-01T10:00:00+00:00"
    assert not ada.has_usable_password() and ada.first_name == "Ada"
    assert (ada.labels, comp.note) == ("vip", "A friend")  # where staff see them
    assert not User.objects.filter(email="gone@example.com").exists()
    free = User.objects.get(email="free@example.com")  # on the free list, not a member
    assert (free.receives_letter, free.subscribed_at.isoformat()) == (
        True,
        "2023-08-01T10:00:00+00:00",
    )
    assert not hasattr(free, "membership")
    run_tasks()
    assert mail.outbox == []  # nobody is emailed by an import


def test_free_members_join_the_package_staff_name(tmp_path):
    import_ghost()
    report = import_ghost("--members", members_csv(tmp_path), "--free-members-tier", "gold")
    assert User.objects.get(email="free@example.com").membership.tier.slug == "gold"
    assert "members: 4 created" in report


def test_a_second_run_makes_no_second_account(tmp_path):
    import_ghost("--members", members_csv(tmp_path))
    report = import_ghost("--members", members_csv(tmp_path))
    assert "members: 3 unchanged" in report and "free subscribers: 1 unchanged" in report
    assert User.objects.count() == 4


def test_an_imported_member_logs_in_by_code_and_reads_their_package(tmp_path, run_tasks):
    import_ghost("--members", members_csv(tmp_path))
    reader = Client()
    asked = reader.post("/accounts/login/code/", {"email": "Ada.Lovelace@example.com"})
    run_tasks()
    code = re.search(r"^([A-Z]{4}-[A-Z]{4})$", mail.outbox[-1].body, re.M)[1]
    reader.post(asked["Location"], {"code": code})
    page = reader.get("/articles/for-paying-members/").content.decode()
    assert "Paid Quetzalwibble text." in page


def test_staff_send_imported_members_a_welcome(tmp_path, staff_client, run_tasks):
    import_ghost("--members", members_csv(tmp_path))
    listed = staff_client.get("/admin/ghost/importedmember/").content.decode()
    rows = re.findall(r'class="field-email">(?:<a [^>]*>)?([^<]+)', listed)
    assert sorted(rows) == [
        "ada.lovelace@example.com",
        "comp@example.com",
        "free@example.com",
        "grace@example.com",
    ]
    ids = list(User.objects.filter(email__endswith="example.com").values_list("pk", flat=True))
    staff_client.post(
        "/admin/ghost/importedmember/",
        {"action": "send_welcome", "_selected_action": ids, "confirm": "yes"},
    )
    run_tasks()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ada.lovelace@example.com",
        "comp@example.com",
        "free@example.com",
        "grace@example.com",
    ]
    welcome = next(m for m in mail.outbox if m.to == ["grace@example.com"])
    assert welcome.subject == "The Ledger has moved: log in with a code"
    assert welcome.body == (
        "Hello Grace,\n\n"
        "The Ledger has a new home, and your membership (Patron) has come with it.\n\n"
        "To log in, ask for a code at http://127.0.0.1:8000/accounts/login/code/ with this "
        "address (grace@example.com): we email you a code, as before, and no password is "
        "needed.\n\n"
        "The Ledger\nhttp://127.0.0.1:8000/\n"
    )
    free = next(m for m in mail.outbox if m.to == ["free@example.com"])
    assert free.body == (
        "Hello Free,\n\n"
        "The Ledger has a new home, and your free subscription has come with it.\n\n"
        "To log in, ask for a code at http://127.0.0.1:8000/accounts/login/code/ with this "
        "address (free@example.com): we email you a code, as before, and no password is "
        "needed.\n\n"
        "The Ledger\nhttp://127.0.0.1:8000/\n"
    )
    assert "your free subscription has come with it" in free.alternatives[0][0]


@pytest.mark.parametrize(
    ("csv", "message"),
    [
        ("name,note\nAda,hi\n", "not a members CSV: no column email (the one it needs)."),
        (
            "id,email,name,subscribed_to_emails,complimentary_plan,deleted_at,tiers\n"
            "m1,not-an-address,A,true,false,,Gold\n",
            "members.csv line 2 (not-an-address): Enter an email address like name@example.com.",
        ),
        (
            "id,email,name,subscribed_to_emails,complimentary_plan,deleted_at,tiers\n"
            "m1,a@example.com,A,true,false,,Gold\nm2,A@Example.com,B,true,false,,Gold\n",
            "members.csv line 3 (a@example.com): the same address as line 2.",
        ),
    ],
)
def test_a_bad_members_file_says_why_and_nothing_is_written(tmp_path, csv, message):
    with pytest.raises(CommandError) as refused:
        import_ghost("--members", members_csv(tmp_path, csv))
    assert message in str(refused.value)
    assert not User.objects.exists() and not Article.objects.exists()


def test_the_welcome_asks_first_and_is_never_sent_twice_without_a_tick(
    tmp_path, staff_client, run_tasks
):
    import_ghost("--members", members_csv(tmp_path))
    grace = User.objects.get(email="grace@example.com")
    chosen = {"action": "send_welcome", "_selected_action": [grace.pk]}
    asked = staff_client.post("/admin/ghost/importedmember/", chosen).content.decode()
    assert "1 member will receive the welcome email, “The Ledger has moved: log in" in asked
    assert Email.objects.filter(kind="ghost_welcome").count() == 0  # asking sends nothing

    staff_client.post("/admin/ghost/importedmember/", {**chosen, "confirm": "yes"})
    listed = staff_client.get("/admin/ghost/importedmember/", {"welcomed": "yes"})
    assert re.findall(r'class="field-email">(?:<a [^>]*>)?([^<]+)', listed.content.decode()) == [
        "grace@example.com"
    ]
    again = staff_client.post("/admin/ghost/importedmember/", chosen).content.decode()
    assert "0 members will receive the welcome email" in again
    assert "1 of those chosen had it already" in again and "grace@example.com: had it on" in again
    done = staff_client.post(
        "/admin/ghost/importedmember/", {**chosen, "confirm": "yes"}, follow=True
    )
    assert [str(m) for m in done.context["messages"]] == [
        "Welcome queued for 0 member(s).",
        "Left out, as they had it already: 1.",
    ]
    staff_client.post("/admin/ghost/importedmember/", {**chosen, "confirm": "yes", "again": "on"})
    run_tasks()
    assert [m.to for m in mail.outbox] == [["grace@example.com"], ["grace@example.com"]]


def test_the_csv_ghost_documents_for_moving_from_elsewhere_needs_only_email(tmp_path):
    report = import_ghost(
        "--members",
        members_csv(tmp_path, "email,substack_plan\nreader@example.com,free\nb@example.com,\n"),
    )
    assert "free subscribers: 2 created" in report
    assert "to check: members.csv: columns not imported: substack_plan" in report
    reader = User.objects.get(email="reader@example.com")
    assert reader.receives_letter and reader.subscribed_at is not None  # Ghost's default

    again = import_ghost("--members", members_csv(tmp_path, "email\nreader@example.com\n"))
    assert "free subscribers: 1 unchanged" in again  # known by its address, with no id


def test_a_free_ghost_member_receives_the_free_letter(tmp_path, staff_user, run_tasks):
    import_ghost("--members", members_csv(tmp_path))
    send_post(
        Article.objects.get(slug="a-free-essay"),
        audience=Send.Audience.FREE,
        tier=None,
        sent_by=staff_user,
    )
    run_tasks()
    letters = {m.to[0]: m for m in mail.outbox}
    assert "free@example.com" in letters
    assert letters["free@example.com"].subject == "A free essay"
    assert "grace@example.com" not in letters  # a member who turned the letter off in Ghost
