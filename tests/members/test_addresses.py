"""One email, one person: every way of writing a mailbox's address is the same applicant
and the same account (members/addresses.py)."""

import importlib

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from members.addresses import canonical
from members.approvals import approve_application
from members.models import Application, User
from tests.factories import application_answers, make_application, make_member, make_tier
from tests.members.waitlist import apply, apply_and_confirm, confirm

VARIANTS = {
    "ada@example.com": [
        "ada@example.com",
        "Ada@Example.COM",  # case
        "  ada@example.com\t",  # spaces
        "ａｄａ＠ｅｘａｍｐｌｅ．ｃｏｍ",  # fullwidth letters, at sign and dot
        "ada\u200b@example.com",  # a zero-width space
        "ada@exa\u200dmple\u00ad.com",  # a zero-width joiner and a soft hyphen
        "ada@example.com.",  # the root's dot
    ],
    "ada@xn--bcher-kva.example": [
        "ada@bücher.example",  # an IDN domain, NFC
        "ada@bu\u0308cher.example",  # the same, NFD
        "ada@BÜCHER.example",
        "ada@xn--bcher-kva.example",  # in punycode
        "ADA@XN--BCHER-KVA.EXAMPLE",
    ],
    # IDNA 2008, as registries and browsers read it: ß and ς are letters of their own,
    # not "ss" and "σ" (IDNA 2003, Python's own codec), which name other domains.
    "x@xn--strae-oqa.de": ["x@straße.de", "x@STRAßE.DE", "x@xn--strae-oqa.de"],
    "x@strasse.de": ["x@strasse.de", "x@STRASSE.de"],
    "x@xn--3xa.gr": ["x@ς.gr", "x@XN--3XA.GR"],
    "ada@xn--istanbul-o0e.example": [
        "ada@İstanbul.example",  # İ, one code point
        "ada@I\u0307stanbul.example",  # İ as I and a combining dot
        "ada@i\u0307stanbul.example",  # what lower() makes of İ
    ],
}
CASES = [(variant, address) for address, variants in VARIANTS.items() for variant in variants]


@pytest.mark.parametrize(("variant", "address"), CASES)
def test_every_way_of_writing_an_address_has_one_canonical_form(variant, address):
    assert canonical(variant) == address


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("İnci@example.com", "Use an address whose part before the @ has only plain letters, "
         "digits and . _ + -: few mail servers accept others."),
        ("zoë@example.com", "Use an address whose part before the @ has only plain letters, "
         "digits and . _ + -: few mail servers accept others."),
        ("ada@example.com, bob@example.com", "Enter one email address only."),
        ("ada@example.com bob@example.com", "Enter one email address only."),
        ("ada", "Enter an email address like name@example.com."),
        ("\u200b@example.com", "Enter an email address like name@example.com."),
        ("ada@exa mple.com", "Enter an email address like name@example.com."),
        ("ada@" + "x" * 64 + ".example", "Enter an email address like name@example.com."),
        # Symbols IDNA 2003 took and IDNA 2008 does not, in Unicode and in punycode.
        ("ada@☃.net", "Enter an email address like name@example.com."),
        ("ada@xn--n3h.net", "Enter an email address like name@example.com."),
    ],
)  # fmt: skip
def test_what_is_not_one_deliverable_address_is_refused_with_the_reason(given, message):
    with pytest.raises(ValidationError) as refused:
        canonical(given)
    assert refused.value.messages == [message]


@pytest.mark.django_db
@pytest.mark.parametrize("address", VARIANTS)
def test_every_variant_is_the_same_applicant(address, settings):
    settings.APPLICATION_EMAIL_RATE_LIMIT = settings.APPLICATION_RATE_LIMIT = 100
    tier = make_tier()
    for variant in VARIANTS[address]:
        applicant = Client()
        assert apply(applicant, application_answers(tier, email=variant)).status_code == 302
        assert confirm(applicant, address)["Location"] == "/membership/application/", variant
    assert list(Application.objects.values_list("email", flat=True)) == [address]


@pytest.mark.django_db
def test_the_per_address_rate_limit_counts_every_variant(settings):
    settings.APPLICATION_EMAIL_RATE_LIMIT = 3
    tier = make_tier()
    statuses = [
        Client(REMOTE_ADDR=f"10.2.0.{n}")
        .post("/membership/apply/", application_answers(tier, email=variant))
        .status_code
        for n, variant in enumerate(VARIANTS["ada@example.com"][:4])
    ]
    assert statuses == [302, 302, 302, 429]


@pytest.mark.django_db
@pytest.mark.parametrize("address", VARIANTS)
def test_every_variant_is_the_same_account(address, run_tasks):
    member = make_member(email=VARIANTS[address][1])
    assert member.email == address
    for variant in VARIANTS[address]:
        reader = Client()
        reader.post("/accounts/login/", {"login": variant, "password": "a-long-pw"})
        assert reader.get("/account/").status_code == 200, variant

    Client().post("/accounts/login/code/", {"email": VARIANTS[address][-1]})
    Client().post("/accounts/password/reset/", {"email": VARIANTS[address][-2]})
    run_tasks()
    assert [m.to for m in mail.outbox] == [[address], [address]]
    assert "member account" not in mail.outbox[0].subject  # not the unknown-account email


@pytest.mark.django_db
def test_a_members_mailbox_written_another_way_is_still_a_member(client, run_tasks):
    make_member(email="ada@bücher.example")
    client.post(
        "/membership/apply/", application_answers(make_tier(), email="ADA@XN--BCHER-KVA.EXAMPLE")
    )
    run_tasks()
    assert not Application.objects.exists()
    assert [m.subject for m in mail.outbox] == ["You're already a member of The Ledger"]


@pytest.mark.django_db
def test_approving_never_makes_a_second_account_for_a_mailbox(client, staff_user):
    """Staff made an account for the mailbox after it applied, writing it another way:
    approving gives that account the membership."""
    apply_and_confirm(client, application_answers(make_tier(), email="ＡＤＡ@Example.com"))
    existing = User.objects.create_user("ada@example.com\u200b")
    approve_application(Application.objects.get(), approved_by=staff_user)
    assert list(User.objects.exclude(pk=staff_user.pk)) == [existing]
    assert Application.objects.get().user == existing
    assert existing.membership.status == "active"


migration = importlib.import_module("members.migrations.0004_canonical_addresses")


@pytest.mark.django_db
def test_the_migration_makes_stored_addresses_canonical(capsys):
    application = make_application(email="x@example.com")
    member = make_member(email="y@example.com")
    Application.objects.filter(pk=application.pk).update(email="ＡＤＡ@Bücher.example")
    User.objects.filter(pk=member.pk).update(email="Grace\u200b@Example.com")
    EmailAddress.objects.filter(user=member).update(email="grace@example.com\u200b")
    unfixable = make_application(email="z@example.com")
    Application.objects.filter(pk=unfixable.pk).update(email="zoë@example.com")

    migration.canonicalise(apps, None)

    assert sorted(Application.objects.values_list("email", flat=True)) == [
        "ada@xn--bcher-kva.example",
        "zoë@example.com",
    ]
    assert User.objects.get(pk=member.pk).email == "grace@example.com"
    assert EmailAddress.objects.get(user=member).email == "grace@example.com"
    assert f"Application {unfixable.pk} 'zoë@example.com' left as it is" in capsys.readouterr().out


@pytest.mark.django_db
def test_migrating_to_idna_2008_names_the_stored_domains_it_refuses(capsys):
    again = importlib.import_module("members.migrations.0010_idna2008_addresses")
    snowman = make_application(email="a@example.com")
    Application.objects.filter(pk=snowman.pk).update(email="ada@xn--n3h.net")  # ☃.net
    upper = make_application(email="b@example.com")
    Application.objects.filter(pk=upper.pk).update(email="ada@XN--STRAE-OQA.DE")

    again.canonicalise(apps, None)

    assert Application.objects.get(pk=upper.pk).email == "ada@xn--strae-oqa.de"
    assert Application.objects.get(pk=snowman.pk).email == "ada@xn--n3h.net"
    assert f"Application {snowman.pk} 'ada@xn--n3h.net' left as it is" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_migration_refuses_to_merge_two_rows_that_become_one():
    first = make_application(email="ada@example.com")
    second = make_application(email="other@example.com")
    Application.objects.filter(pk=second.pk).update(email="ａｄａ@example.com")

    with pytest.raises(RuntimeError) as refused:
        migration.canonicalise(apps, None)

    assert str(refused.value) == (
        "These Application rows name one mailbox once their addresses are made canonical: "
        f"ada@example.com ← Application {sorted([first.pk, second.pk])}. Merge or delete them by "
        "hand, then migrate again."
    )
    assert Application.objects.get(pk=second.pk).email == "ａｄａ@example.com"  # unchanged
