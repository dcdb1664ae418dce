from django.test import RequestFactory
from django.views.defaults import server_error


def test_server_error_page_is_in_the_sites_look_and_tells_the_reader_what_to_do():
    response = server_error(RequestFactory().get("/articles/broken/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>Something went wrong on our side</h1>" in html
    assert '<link rel="stylesheet" href="/static/css/site.css">' in html
    assert "Traceback" not in html
