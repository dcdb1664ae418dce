"""Bad input anywhere gets a clear answer, never a 500."""

import pytest
from django.test import Client

from articles.models import Article
from tests.factories import make_article, make_member

pytestmark = pytest.mark.django_db


WRONG = "The email address and/or password you specified are not correct."
ADDRESS = "Enter an email address like name@example.com."


@pytest.mark.parametrize(
    ("login", "field", "message"),
    [
        ("", "login", "This field is required."),
        ("nul\x00@example.com", "login", ADDRESS),
        ("not-an-email", "login", ADDRESS),
        (
            "a" * 300 + "@example.com",
            "login",
            "Ensure this value has at most 254 characters (it has 312).",
        ),
        ("' OR 1=1 --@example.com", "login", ADDRESS),
        ("admin@example.com' --", "login", ADDRESS),
        ("ada@example.com, bob@example.com", "login", "Enter one email address only."),
    ],
)
def test_login_answers_bad_input_with_a_message(client, login, field, message):
    response = client.post("/accounts/login/", {"login": login, "password": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors[field] == message.split("\n")


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "This field is required."),
        ("\u202e@example.com", ADDRESS),  # a direction mark, removed: nothing before the @
        ("x\x00@example.com", ADDRESS),
    ],
)
def test_password_reset_answers_bad_input_with_a_message(client, email, message):
    response = client.post("/accounts/password/reset/", {"email": email})
    assert response.status_code == 200
    assert message in response.context["form"].errors["email"]


def test_admin_post_form_refuses_nul_bytes_and_keeps_unicode_and_markup_as_text(staff_client):
    form = {
        "slug": "unicode",
        "dek": "",
        "body": "",
        "status": "draft",
        "visibility": "public",
        "bylines-TOTAL_FORMS": "0",
        "bylines-INITIAL_FORMS": "0",
        "body_pictures-TOTAL_FORMS": "0",
        "body_pictures-INITIAL_FORMS": "0",
        "pull_quotes-TOTAL_FORMS": "0",
        "pull_quotes-INITIAL_FORMS": "0",
    }
    refused = staff_client.post("/admin/articles/article/add/", {**form, "title": "bad\x00title"})
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["title"] == ["Null characters are not allowed."]

    title = "e\u0301 👩‍👩‍👧 \u202eRTL <script>alert(1)</script>"
    saved = staff_client.post("/admin/articles/article/add/", {**form, "title": title})
    assert saved.status_code == 302
    article = Article.objects.get(slug="unicode")
    assert article.title == title
    page = staff_client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize(
    "query",
    ["' OR 1=1 --", "%", "_", "a & b | !c", '"unclosed', "-", "x" * 5000, "<>", "😀"],
)
def test_search_survives_any_query(client, query):
    make_article(title="Something")
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "url",
    ["/articles/%00/", "/articles/" + "a" * 3000 + "/", "/topics/..%2F..%2Fetc/", "/?page=-1",
     "/?page=abc", "/?page=99999999999999999999", "/search/?page=0&q=x"],
)  # fmt: skip
def test_malformed_addresses_get_a_4xx_or_a_page(client, url):
    make_article()
    assert client.get(url).status_code in {200, 400, 404}


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_unknown_methods_are_refused(client, method):
    article = make_article()
    assert getattr(client, method)(article.get_absolute_url()).status_code == 405
    assert getattr(client, method)("/membership/apply/").status_code == 405


@pytest.mark.parametrize(
    "url", ["/accounts/login/", "/membership/apply/", "/accounts/password/reset/"]
)
def test_posts_without_a_csrf_token_are_refused(url):
    response = Client(enforce_csrf_checks=True).post(url, {"login": "a@example.com"})
    assert response.status_code == 403
    assert "<h1>Your form had expired</h1>" in response.content.decode()


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_login_and_logout_never_send_readers_off_site(client, target):
    make_member(email="ada@example.com")
    logged_in = client.post(
        f"/accounts/login/?next={target}", {"login": "ada@example.com", "password": "a-long-pw"}
    )
    assert logged_in["Location"] == "/"
    logged_out = client.post("/accounts/logout/", {"next": target})
    assert logged_out["Location"] == "/"


@pytest.mark.parametrize("url", ["/search/?q=%00", "/membership/apply/?tier=%00", "/?page=1%00"])
def test_a_nul_byte_in_the_query_string_is_a_clear_400(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "We could not understand that address" in response.content.decode()
