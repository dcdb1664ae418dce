import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse

from articles import rendering
from articles.models import Article, Contributor
from tests.factories import (
    image_bytes,
    image_upload,
    make_article,
    make_contributor,
    make_tier,
    make_topic,
    stored_files,
)

pytestmark = pytest.mark.django_db

MODELS = ["articles.article", "articles.contributor", "articles.topic", "members.user"]


def admin_url(model: str, view: str, *args) -> str:
    app, name = model.split(".")
    return reverse(f"admin:{app}_{name}_{view}", args=args)


@pytest.mark.parametrize("model", MODELS)
def test_every_changelist_and_add_page_opens_for_staff(staff_client, model):
    make_article(contributors=[make_contributor(portrait=image_upload())], topics=[make_topic()])
    for view in ["changelist", "add"]:
        response = staff_client.get(admin_url(model, view))
        assert response.status_code == 200, (model, view)


def test_the_contributor_list_costs_the_same_however_many_have_accounts(
    staff_client, django_user_model, django_assert_num_queries
):
    def contributors_with_accounts(count: int) -> None:
        for n in range(count):
            user = django_user_model.objects.create_user(f"writer{count}-{n}@example.com")
            make_contributor(user=user)

    contributors_with_accounts(1)
    with django_assert_num_queries(5):  # session, user, count, total count, page
        staff_client.get(admin_url("articles.contributor", "changelist"))
    contributors_with_accounts(5)
    with django_assert_num_queries(5):
        page = staff_client.get(admin_url("articles.contributor", "changelist"))
    assert page.content.decode().count("writer5-") == 5


def test_article_change_page_opens_for_staff(staff_client):
    article = make_article(pull_quotes=[{"text": "Q", "attribution": "A", "position": 1}])
    assert staff_client.get(admin_url("articles.article", "change", article.pk)).status_code == 200


@pytest.mark.parametrize("model", MODELS)
def test_readers_who_are_not_staff_get_nothing_from_admin(reader_client, client, model):
    for visitor in (reader_client, client):
        response = visitor.get(admin_url(model, "changelist"))
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def block_key(markdown: str) -> str:
    """The key of the body's block that `markdown` makes, as the quote's select offers it."""
    return rendering.parse_body(markdown).keys[0]


def article_form(**overrides) -> dict:
    data = {
        "title": "A new essay",
        "slug": "a-new-essay",
        "dek": "Its standfirst.",
        "body": "First.\n\nSecond.",
        "status": "published",
        "publish_at_0": "2024-01-02",
        "publish_at_1": "09:00:00",
        "visibility": "public",
        "hero_alt": "",
        "hero_credit": "",
        "bylines-TOTAL_FORMS": "1",
        "bylines-INITIAL_FORMS": "0",
        "bylines-0-order": "0",
        "body_pictures-TOTAL_FORMS": "0",
        "body_pictures-INITIAL_FORMS": "0",
        "pull_quotes-TOTAL_FORMS": "1",
        "pull_quotes-INITIAL_FORMS": "0",
        "pull_quotes-0-text": "Quoted <em>words</em>",
        "pull_quotes-0-attribution": "A critic",
        "pull_quotes-0-source_url": "",
        "pull_quotes-0-after_block": "",
    }
    return {**data, **overrides}


def change_form(article: Article, **overrides) -> dict:
    """The post's change form as the admin sends it back untouched, with `overrides`."""
    data = {
        "title": article.title,
        "slug": article.slug,
        "dek": article.dek,
        "body": article.body,
        "status": article.status,
        "publish_at_0": article.publish_at.date().isoformat(),
        "publish_at_1": "09:00:00",
        "visibility": article.visibility,
        "hero_alt": "",
        "hero_credit": "",
        "bylines-TOTAL_FORMS": "0",
        "bylines-INITIAL_FORMS": "0",
        "body_pictures-TOTAL_FORMS": "0",
        "body_pictures-INITIAL_FORMS": "0",
        "pull_quotes-TOTAL_FORMS": str(article.pull_quotes.count()),
        "pull_quotes-INITIAL_FORMS": str(article.pull_quotes.count()),
    }
    for n, quote in enumerate(article.pull_quotes.all()):
        data |= {
            f"pull_quotes-{n}-id": quote.pk,
            f"pull_quotes-{n}-article": article.pk,
            f"pull_quotes-{n}-text": quote.text,
            f"pull_quotes-{n}-attribution": quote.attribution,
            f"pull_quotes-{n}-source_url": quote.source_url,
            f"pull_quotes-{n}-after_block": quote.after_block,
        }
    return data | overrides


def test_staff_write_a_post_with_byline_and_pull_quote(staff_client):
    writer = make_contributor(name="Toby Daniels")

    response = staff_client.post(
        admin_url("articles.article", "add"),
        article_form(
            **{"bylines-0-contributor": writer.pk, "pull_quotes-0-after_block": block_key("First.")}
        ),
    )

    assert response.status_code == 302
    article = Article.objects.get(slug="a-new-essay")
    assert [b.contributor for b in article.bylines.all()] == [writer]
    assert article.body_html == (
        "<p>First.</p>\n"
        '<figure class="pull-quote"><blockquote><p>Quoted &lt;em&gt;words&lt;/em&gt;</p>'
        "</blockquote><figcaption>– A critic</figcaption></figure>\n<p>Second.</p>"
    )


def test_admin_refuses_a_fake_picture_with_a_clear_message_and_keeps_the_text(staff_client):
    fake = SimpleUploadedFile("photo.jpg", b"not an image at all", content_type="image/jpeg")

    response = staff_client.post(
        admin_url("articles.article", "add"),
        article_form(hero_image=fake, hero_alt="Something"),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["hero_image"] == [
        "Upload a valid image. The file you uploaded was either not an image or a corrupted image."
    ]
    assert 'value="A new essay"' in response.content.decode()
    assert not Article.objects.exists()


def test_admin_refuses_an_oversized_portrait(staff_client, settings):
    settings.IMAGE_MAX_PIXELS = 100_000
    response = staff_client.post(
        admin_url("articles.contributor", "add"),
        {
            "name": "Ann",
            "slug": "ann",
            "role_line": "",
            "bio": "",
            "links": "",
            "portrait": image_upload(width=1000, height=1000),
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["portrait"] == [
        "This picture is 1000×1000 pixels; at most 0.1 million pixels are accepted."
    ]
    assert not Contributor.objects.exists()


def test_changelist_links_drafts_to_their_preview(staff_client):
    make_article(title="Work in progress", status=Article.Status.DRAFT)
    html = staff_client.get(admin_url("articles.article", "changelist")).content.decode()
    assert ">Preview</a>" in html


def test_staff_make_a_post_for_one_package_and_above(staff_client):
    insider = make_tier(name="Insider")
    response = staff_client.post(
        admin_url("articles.article", "add"),
        article_form(
            visibility="tier",
            minimum_tier=insider.pk,
            body="Free.\n\nAlso free.\n\n<!--members-only-->\n\nPaid.",
            **{"pull_quotes-0-after_block": block_key("Free.")},
        ),
    )
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.minimum_tier == insider
    assert "Paid." not in article.preview_html
    assert "Also free." in article.preview_html


@pytest.mark.parametrize(
    ("marker", "place"),
    [
        ("> <!-- members-only -->", "line 5 (in a quote)"),
        # Nearly the marker: refused with its line, not a silent cut after two paragraphs.
        (
            "<!-- members only from here -->",
            "line 5 (“<!-- members only from here -->” is not the marker)",
        ),
    ],
)
@pytest.mark.parametrize("visibility", ["members", "public"])
def test_a_marker_that_cannot_end_the_preview_is_refused_for_members_only_posts(
    staff_client, visibility, marker, place
):
    body = f"Free.\n\nAlso free.\n\n{marker}\n\nPaid."
    response = staff_client.post(
        admin_url("articles.article", "add"), article_form(visibility=visibility, body=body)
    )
    if visibility == "public":  # nothing is cut from a public post
        assert response.status_code == 302
        return
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["body"] == [
        f"The members-only marker at {place} cannot end the free preview there, "
        "so the post would be cut after its first paragraphs instead. Put "
        "<!--members-only--> on a line of its own, not indented or quoted, with a blank "
        "line before and after."
    ]
    assert response.context["adminform"].form["body"].value() == body  # what staff typed stays
    assert not Article.objects.exists()


def test_a_package_post_without_a_package_is_refused(staff_client):
    response = staff_client.post(
        admin_url("articles.article", "add"), article_form(visibility="tier")
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "Choose the lowest package that includes it."
    ]
    assert not Article.objects.exists()


def test_a_huge_upload_is_refused_unread(staff_client, settings):
    settings.REQUEST_MAX_BYTES = 200_000
    huge = SimpleUploadedFile("huge.jpg", b"\xff" * 300_000, content_type="image/jpeg")
    response = staff_client.post(
        admin_url("articles.contributor", "add"), {"name": "Ann", "slug": "ann", "portrait": huge}
    )
    assert response.status_code == 413
    assert "That is too large to upload" in response.content.decode()
    assert not Contributor.objects.exists()


@pytest.mark.usefixtures("media_storage")
def test_a_picture_too_tall_for_webp_is_refused_next_to_its_field(staff_client):
    """1200×17000 is under the pixel cap, but its 1200 px rendition passes WebP's 16383."""
    tall = SimpleUploadedFile("tall.png", image_bytes(1200, 17000, "PNG"), content_type="image/png")
    response = staff_client.post(
        admin_url("articles.article", "add"),
        article_form(hero_image=tall, hero_alt="A tall chart"),
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["hero_image"] == [
        "This picture is 1200×17000 pixels: too tall for the web versions made of it, which "
        "may be at most 16383 pixels tall at 1200 pixels wide. Crop it and upload it again."
    ]
    assert not Article.objects.exists()
    assert stored_files() == []


@pytest.mark.usefixtures("media_storage")
def test_an_encoder_failure_is_a_message_next_to_the_field(staff_client, monkeypatch):
    def failing_webp(image, width):
        raise OSError("encoder error -2 when writing image file")

    monkeypatch.setattr("articles.images._rendition", failing_webp)
    response = staff_client.post(
        admin_url("articles.contributor", "add"),
        {"name": "Ann", "slug": "ann", "portrait": image_upload()},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["portrait"] == [
        "Web versions of this picture could not be made. Export it again as a JPEG or PNG "
        "and upload the new file."
    ]
    assert not Contributor.objects.exists()
    assert stored_files() == []


@pytest.mark.usefixtures("media_storage")
def test_a_save_that_fails_leaves_no_picture_files_behind():
    make_contributor(slug="taken")
    with pytest.raises(IntegrityError):
        make_contributor(slug="taken", portrait=image_upload())
    assert stored_files() == []
