from django.db import OperationalError
from django.test import RequestFactory

from publication.views import server_error


def test_server_error_page_is_in_the_sites_look_and_tells_the_reader_what_to_do():
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(RequestFactory().get("/articles/broken/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>Something went wrong on our side</h1>" in html
    assert '<link rel="stylesheet" href="/static/css/site.css">' in html
    assert "a bug" not in html


def test_a_database_out_of_reach_answers_503_and_asks_to_come_back():
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "<h1>We’ll be back in a moment</h1>" in html
    assert "connection refused" not in html
