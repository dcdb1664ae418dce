"""Staff preview a post as it stands on its change page, saved or not."""

import pytest
from django.urls import reverse

from articles.models import Article
from tests.articles.test_admin import admin_url, article_form, change_form
from tests.factories import make_article, make_contributor, make_tier, make_topic

pytestmark = pytest.mark.django_db

SAVED = "Free one.\n\nFree two.\n\n<!--members-only-->\n\nPaid words."
TYPED = SAVED + "\n\nNew words nobody has saved."


@pytest.fixture
def patron_post():
    make_tier(name="Reader", rank=1)
    patron = make_tier(name="Patron", rank=2)
    return make_article(body=SAVED, visibility="tier", minimum_tier=patron)


def preview_url(article: Article) -> str:
    return reverse("admin:articles_article_preview", args=[article.pk])


def sections(html: str) -> dict[str, str]:
    """Each version's section of the preview, by its heading."""
    parts = html.split('<h2 class="preview-version__heading"')[1:]
    return {part.split(">", 1)[1].split("</h2>")[0]: part for part in parts}


def test_staff_see_the_unsaved_post_as_each_kind_of_reader_with_the_cut(staff_client, patron_post):
    data = change_form(patron_post, body=TYPED, minimum_tier=patron_post.minimum_tier_id)

    response = staff_client.post(preview_url(patron_post), data)

    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    versions = sections(response.content.decode())
    assert list(versions) == [
        "As a visitor",
        "As a Patron member, whose package includes it",
        "As a Reader member, whose package does not include it",
    ]
    member = versions["As a Patron member, whose package includes it"]
    assert member.index("Free two.") < member.index("Readers it is not for stop here")
    assert member.index("Readers it is not for stop here") < member.index("Paid words.")
    assert "New words nobody has saved." in member
    for shut_out in ["As a visitor", "As a Reader member, whose package does not include it"]:
        assert "Free two." in versions[shut_out]
        assert "Paid words." not in versions[shut_out]
        assert "New words" not in versions[shut_out]
        assert "This post is for Patron members." in versions[shut_out]
    assert (
        "Ask to move to Patron" in versions["As a Reader member, whose package does not include it"]
    )
    before = patron_post.updated_at
    patron_post.refresh_from_db()
    assert (patron_post.body, patron_post.updated_at) == (SAVED, before)  # nothing saved


def test_the_preview_never_reaches_the_post_pages_cache(staff_client, client, patron_post):
    patron_post.visibility = "public"
    patron_post.save()
    data = change_form(patron_post, body="Only in the preview.")
    staff_client.post(preview_url(patron_post), data)

    page = client.get(patron_post.get_absolute_url()).content.decode()

    assert "Free one." in page
    assert "Only in the preview." not in page


def test_a_new_post_previews_with_its_byline_topics_and_pull_quote(staff_client):
    writer, topic = make_contributor(name="Toby Daniels"), make_topic(name="Work")
    data = article_form(
        **{"bylines-0-contributor": writer.pk, "topics": [topic.pk], "status": "draft"}
    )

    response = staff_client.post(reverse("admin:articles_article_preview_new"), data)

    assert response.status_code == 200
    html = response.content.decode()
    assert list(sections(html)) == ["As everyone reads it"]
    assert "Toby Daniels" in html and ">Work</a>" in html
    assert "Quoted &lt;em&gt;words&lt;/em&gt;" in html
    assert "Preview: this post is a draft and not public yet." in html
    assert not Article.objects.exists()


def test_a_picture_not_saved_yet_is_named(staff_client):
    data = article_form(body="![](picture:harbour)") | {"pull_quotes-TOTAL_FORMS": "0"}
    response = staff_client.post(reverse("admin:articles_article_preview_new"), data)
    assert (
        "Pictures chosen but not saved yet show once the post is saved: “picture:harbour”."
        in response.content.decode()
    )


def test_the_change_page_has_the_preview_button(staff_client, patron_post):
    page = staff_client.get(admin_url("articles.article", "change", patron_post.pk))
    assert (
        f'<button type="submit" class="button" formaction="{preview_url(patron_post)}" '
        'formtarget="_blank" formnovalidate>Preview</button>'
    ) in page.content.decode()


def test_the_preview_is_posted_not_fetched(staff_client, patron_post):
    assert staff_client.get(preview_url(patron_post)).status_code == 405


def test_staff_who_may_not_edit_posts_are_refused(client, django_user_model, patron_post):
    client.force_login(django_user_model.objects.create_user("helper@example.com", is_staff=True))
    response = client.post(preview_url(patron_post), change_form(patron_post))
    assert response.status_code == 403
    assert "Paid words." not in response.content.decode()
