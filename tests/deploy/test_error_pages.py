"""With DEBUG off, errors show our own plain pages, in the visitor's language."""

from django.utils import translation
from django.views.defaults import server_error


def test_server_error_page_is_ours_and_needs_no_context(rf):
    with translation.override("vi"):
        response = server_error(rf.get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "Đã có lỗi xảy ra" in html and 'href="/"' in html
    assert "{%" not in html and "Server Error (500)" not in html


def test_server_error_page_in_english(rf):
    with translation.override("en"):
        html = server_error(rf.get("/")).content.decode()
    assert '<html lang="en">' in html
