"""The rule of every cache: the database decides, caches only save work. With every
invalidation lost, a post made members-only with new paid text is read in full by no one
its package does not include, on any surface, at any address, in a fresh worker. (What
a cache made before the change, decision and text together, it may serve until it
expires: the post as it was, public.)

Each cache is on (the page cache and cached answers on a real Redis, sessions there
too, fragments and cards in the worker) and has served every reader the public post
before the change. Invalidations are lost in two ways: Redis never hears of the change
(the version does not move), or the change is written in SQL behind the ORM's back (no
revision moves, no signal is sent).
"""

import pytest
from django.core import mail
from django.core.cache import caches
from django.db import connection
from django.test import Client

from articles.models import Article
from letters.models import Send
from letters.sending import prepare, send_post
from members.models import Membership
from outbox.models import Email
from tests.factories import make_article, make_contributor, make_member, make_tier, make_topic

pytestmark = pytest.mark.django_db

PUBLIC = "Words everyone may read."
PAID = "Zanzibarquux is the paid secret."
FREE = "A free opening paragraph."
BODY = f"{FREE}\n\n<!--members-only-->\n\n{PUBLIC}"
RESTRICTED = f"{FREE}\n\n<!--members-only-->\n\n{PUBLIC}\n\n{PAID}"


@pytest.fixture
def caches_on(settings, redis_cache):
    settings.PAGE_CACHE = settings.LIST_CACHE = True
    settings.SESSION_ENGINE = "publication.sessions"
    settings.SITE_URL = "https://news.example.com"


@pytest.fixture
def tiers():
    return {"Reader": make_tier(name="Reader", rank=1), "Patron": make_tier(name="Patron", rank=3)}


@pytest.fixture
def readers(tiers, staff_user, django_user_model) -> dict[str, Client]:
    """Every kind of reader, each with a browser of their own."""
    people = {
        "visitor": None,
        "reader without a package": django_user_model.objects.create_user("r@example.com"),
        "Reader member": make_member(tiers["Reader"], email="low@example.com"),
        "lapsed Patron": make_member(
            tiers["Patron"], email="lapsed@example.com", status=Membership.Status.ENDED
        ),
        "Patron member": make_member(tiers["Patron"], email="patron@example.com"),
        "staff": staff_user,
    }
    clients = {}
    for name, user in people.items():
        clients[name] = Client()
        if user is not None:
            clients[name].force_login(user)
    return clients


MAY_READ = {"Patron member", "staff"}


def surfaces(post: Article, topic, writer) -> list[str]:
    address = post.get_absolute_url()
    return [
        address,
        f"{address}?utm_source=letter",  # an address no cache has seen
        "/",
        topic.get_absolute_url(),
        writer.get_absolute_url(),
        "/feed/",
        "/search/?q=Zanzibarquux",
        "/search/?q=everyone",
    ]


def lose_invalidations_in_redis(monkeypatch, post: Article, tiers) -> None:
    monkeypatch.setattr("publication.pagecache.next_version", lambda: None)
    post.visibility = Article.Visibility.TIER
    post.minimum_tier = tiers["Patron"]
    post.body = RESTRICTED
    post.save()


def write_behind_the_orms_back(monkeypatch, post: Article, tiers) -> None:
    rendered = Article(body=RESTRICTED, visibility=Article.Visibility.TIER)
    rendered.render_body()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE articles_article SET visibility = %s, minimum_tier_id = %s, body = %s,"
            " body_html = %s, preview_html = %s, body_text = %s WHERE id = %s",
            [
                Article.Visibility.TIER,
                tiers["Patron"].pk,
                RESTRICTED,
                rendered.body_html,
                rendered.preview_html,
                rendered.body_text,
                post.pk,
            ],
        )


@pytest.mark.parametrize("lose", [lose_invalidations_in_redis, write_behind_the_orms_back])
def test_no_one_reads_past_the_gate_with_every_invalidation_lost(
    caches_on, tiers, readers, monkeypatch, lose
):
    topic, writer = make_topic(), make_contributor()
    post = make_article(title="Ledger essay", body=BODY, topics=[topic], contributors=[writer])
    pages = surfaces(post, topic, writer)
    for client in readers.values():
        for page in pages:
            assert client.get(page).status_code == 200, page
    assert PUBLIC in Client().get(post.get_absolute_url()).content.decode()

    lose(monkeypatch, post, tiers)
    caches["fragments"].clear()  # a fresh worker, as after a deploy

    for name, client in [*readers.items(), ("visitor, new browser", Client())]:
        for page in pages:
            html = client.get(page).content.decode()
            if name not in MAY_READ or not page.startswith("/articles/"):
                assert PAID not in html, (name, page)
    # The letter as staff preview it for each kind of recipient.
    letter = f"/admin/articles/article/{post.pk}/send/preview/?as="
    assert PAID in readers["staff"].get(letter + "included").content.decode()
    assert PAID not in readers["staff"].get(letter + "not+included").content.decode()


def test_a_letter_sent_again_after_a_post_is_restricted_gives_what_the_gate_gives_now(
    caches_on, tiers, staff_user, run_tasks, monkeypatch
):
    post = make_article(title="Ledger essay", body=BODY)
    make_member(tiers["Reader"], email="low@example.com")
    make_member(tiers["Patron"], email="patron@example.com")
    send_post(post, audience=Send.Audience.ALL, tier=None, sent_by=staff_user)
    run_tasks()
    assert all(PUBLIC in letter.body for letter in mail.outbox)

    lose_invalidations_in_redis(monkeypatch, post, tiers)
    make_member(tiers["Reader"], email="new-low@example.com")
    make_member(tiers["Patron"], email="new-patron@example.com")
    send_post(post, audience=Send.Audience.ALL, tier=None, sent_by=staff_user)
    run_tasks()
    sent_again = {letter.to[0]: letter for letter in mail.outbox[2:]}
    assert sorted(sent_again) == ["new-low@example.com", "new-patron@example.com"]
    assert PAID in sent_again["new-patron@example.com"].body
    low = sent_again["new-low@example.com"]
    assert PAID not in low.body and PAID not in low.alternatives[0][0]
    assert PUBLIC not in low.body  # past the cut now: the preview and the gate's words


@pytest.mark.parametrize("change", ["deleted", "unpublished"])
def test_a_letter_whose_post_is_deleted_or_unpublished_is_cancelled(tiers, run_tasks, change):
    post = make_article(title="Ledger essay", body=BODY)
    make_member(tiers["Reader"], email="low@example.com")
    send = Send.objects.create(article=post, subject=post.title, audience=Send.Audience.ALL)
    prepare.call(send.pk)  # its emails queued, then the post changes before they go
    if change == "deleted":
        post.delete()
    else:
        Article.objects.filter(pk=post.pk).update(status=Article.Status.DRAFT)
    run_tasks()
    assert mail.outbox == []
    (email,) = Email.objects.filter(kind="letter")
    assert email.state == Email.State.CANCELLED
    expected = {"deleted": "deleted", "unpublished": "no longer published"}[change]
    assert expected in email.last_error


def test_a_send_whose_post_was_deleted_before_it_was_prepared_sends_nothing(
    tiers, staff_user, run_tasks
):
    post = make_article(title="Ledger essay", body=BODY)
    make_member(tiers["Reader"], email="low@example.com")
    send_post(post, audience=Send.Audience.ALL, tier=None, sent_by=staff_user)
    post.delete()
    run_tasks()
    assert mail.outbox == []
    assert not Email.objects.filter(kind="letter").exists()
