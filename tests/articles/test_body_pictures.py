"""Pictures uploaded with a post and shown in its body by a short name."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from articles.feeds import absolute_links
from articles.models import Article, BodyPicture
from tests.articles.test_admin import admin_url, article_form
from tests.articles.test_images import GPS_TAG, jpeg_with_location
from tests.factories import image_upload, make_article

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_storage")]

BODY = "Before the picture.\n\n![](picture:harbour)\n\nAfter the picture."


def with_pictures(*pictures: dict, **overrides) -> dict:
    """The add form, with the pictures inline holding `pictures` (name, image, alt)."""
    data = article_form(body=BODY, **overrides) | {
        "body_pictures-TOTAL_FORMS": str(len(pictures)),
        "body_pictures-INITIAL_FORMS": "0",
        "pull_quotes-TOTAL_FORMS": "0",
    }
    for n, picture in enumerate(pictures):
        data |= {f"body_pictures-{n}-{field}": value for field, value in picture.items()}
    return data


def harbour(**fields) -> dict:
    upload = SimpleUploadedFile("harbour.jpg", jpeg_with_location(), content_type="image/jpeg")
    return {"name": "harbour", "image": upload, "alt": "Boats in a harbour at dusk"} | fields


def test_staff_upload_a_picture_with_the_post_and_the_body_shows_it_in_its_widths(staff_client):
    response = staff_client.post(admin_url("articles.article", "add"), with_pictures(harbour()))

    assert response.status_code == 302
    article = Article.objects.get()
    picture = article.body_pictures.get()
    widths = [(r["width"], r["height"]) for r in picture.renditions]
    assert widths == [(480, 288), (960, 576), (1600, 960)]
    urls = [default_storage.url(r["name"]) for r in picture.renditions]
    assert article.body_html == (
        "<p>Before the picture.</p>\n"
        f'<p><img src="{urls[1]}" alt="Boats in a harbour at dusk" '
        f'srcset="{urls[0]} 480w, {urls[1]} 960w, {urls[2]} 1600w" '
        'sizes="(min-width: 42rem) 42rem, 100vw" width="1600" height="960" loading="lazy" '
        'decoding="async"></p>\n'
        "<p>After the picture.</p>"
    )
    # Cleaned as every upload is: no location or camera data is kept, in any file.
    for name in [picture.image.name, *(r["name"] for r in picture.renditions)]:
        with default_storage.open(name) as stored, Image.open(io.BytesIO(stored.read())) as image:
            assert not image.getexif().get_ifd(GPS_TAG)
            assert "exif" not in image.info


def test_text_in_the_brackets_is_the_alt_text():
    article = make_article(body="![A closer look at the boats](picture:harbour)")
    BodyPicture.objects.create(article=article, name="harbour", image=image_upload(), alt="Boats")
    article.refresh_from_db()
    assert 'alt="A closer look at the boats"' in article.body_html


def test_a_name_the_post_has_no_picture_for_is_an_error_next_to_the_body(staff_client):
    response = staff_client.post(
        admin_url("articles.article", "add"), with_pictures(harbour(name="harbor"))
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["body"] == [
        "The body shows “picture:harbour”, but the post has no picture with that short name. "
        "Add it under “Pictures in the body” below, or correct the name."
    ]
    assert response.context["adminform"].form["body"].value() == BODY
    assert not Article.objects.exists()
    assert not BodyPicture.objects.exists()


def test_a_picture_the_body_still_shows_cannot_be_deleted(staff_client):
    article = make_article(body="No pictures yet.")
    picture = BodyPicture.objects.create(
        article=article, name="harbour", image=image_upload(), alt="Boats"
    )
    data = with_pictures(
        {"id": picture.pk, "article": article.pk, "name": "harbour", "alt": "Boats"},
        **{
            "body_pictures-0-DELETE": "on",
            "body_pictures-INITIAL_FORMS": "1",
            "slug": article.slug,
        },
    )
    data["body_pictures-INITIAL_FORMS"] = "1"

    response = staff_client.post(admin_url("articles.article", "change", article.pk), data)

    assert response.status_code == 200
    assert (
        response.context["adminform"]
        .form.errors["body"][0]
        .startswith(
            "The body shows “picture:harbour”, but the post has no picture with that short name."
        )
    )
    assert BodyPicture.objects.filter(pk=picture.pk).exists()


def test_a_file_that_is_not_a_picture_is_refused_next_to_its_field(staff_client):
    fake = SimpleUploadedFile("harbour.jpg", b"not a picture", content_type="image/jpeg")

    response = staff_client.post(
        admin_url("articles.article", "add"), with_pictures(harbour(image=fake))
    )

    assert response.status_code == 200
    pictures = response.context["inline_admin_formsets"][2].formset
    assert pictures.forms[0].errors["image"] == [
        "Upload a valid image. The file you uploaded was either not an image or a corrupted image."
    ]
    assert response.context["adminform"].form["body"].value() == BODY
    assert not Article.objects.exists()


def test_a_short_name_is_used_once_per_post():
    article = make_article()
    BodyPicture.objects.create(article=article, name="harbour", image=image_upload(), alt="A")
    duplicate = BodyPicture(article=article, name="harbour", image=image_upload(), alt="B")
    with pytest.raises(Exception, match="already has a picture with this short name"):
        duplicate.full_clean()


def test_feeds_and_letters_get_every_width_by_its_full_address():
    html = '<img src="/media/a-480.webp" srcset="/media/a-480.webp 480w, /media/a-960.webp 960w">'
    assert absolute_links(html, "https://example.com/posts/x/") == (
        '<img src="https://example.com/media/a-480.webp" '
        'srcset="https://example.com/media/a-480.webp 480w, '
        'https://example.com/media/a-960.webp 960w">'
    )
