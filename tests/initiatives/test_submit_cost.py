"""A cheaper submission (issue 12): the same answers with fewer statements, the same form page
with less rendering and no list read through a database cursor left open."""

import re
import uuid

import pytest
import time_machine
from django import forms
from django.db import connection
from django.forms.renderers import DjangoTemplates
from django.urls import reverse
from django.utils.safestring import mark_safe

from sangkien.core.clock import local_datetime
from sangkien.initiatives import forms as initiative_forms
from sangkien.initiatives.models import Authorship, Initiative, Person
from sangkien.programmes.models import Field
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client):
    user = UserFactory(full_name="Nguyễn Thị Hoa", phone="+84912345678")
    client.force_login(user)
    return user


@pytest.fixture
def fields():
    return [Field.objects.create(code=f"f{n}", name=f"Lĩnh vực {n}", position=n) for n in range(4)]


def submit_url(phase):
    return reverse("initiatives:submit", args=[phase.programme.slug])


def form_data(tree, **overrides):
    return {"author_full_name": "Nguyễn Thị Hoa", "author_phone": "0912 345 678", "sector_block": "public",
            "unit_1": tree["p1"].code, "unit_2": tree["d1"].code, "unit_3": tree["g11"].code,
            "title": "Máy nhuộm vải tiết kiệm nước", "description": "<p>Tuần hoàn nước nhuộm qua bể lắng.</p>",
            "recognition_form": "", "submission_token": uuid.uuid4().hex} | overrides


def normalised(html: bytes) -> str:
    """The page without what differs on every request (CSRF and form tokens, CSP nonces)."""
    text = html.decode()
    text = re.sub(r'(name="(?:csrfmiddlewaretoken|submission_token)" value=")[^"]*', r"\1…", text)
    text = re.sub(r'(nonce" content=")[^"]*', r"\1…", text)
    text = re.sub(r'("inlineStyleNonce": ")[^"]*', r"\1…", text)
    return re.sub(r'nonce="[^"]*"', 'nonce="…"', text)


@time_machine.travel(local_datetime(2021, 4, 5, 10), tick=False)
@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_form_page_is_served_from_the_memo_and_unchanged(client, member, tree, phase, fields, monkeypatch,
                                                              language):
    """The second form page renders no choice list again, and every page (fresh, preselected,
    re-displayed with errors and typed values) is the HTML Django's own renderer gives."""
    client.cookies["django_language"] = language
    rendered: list[str] = []
    plain_render = DjangoTemplates.render

    def counting(self, template_name, context, request=None):
        rendered.append(template_name)
        return plain_render(self, template_name, context, request)

    monkeypatch.setattr(DjangoTemplates, "render", counting)
    monkeypatch.setattr(initiative_forms, "MEMOISING_RENDERER", initiative_forms.MemoisingRenderer())
    monkeypatch.setattr(initiative_forms.InitiativeDetailsForm, "default_renderer",
                        initiative_forms.MEMOISING_RENDERER)
    url = submit_url(phase)
    bad = form_data(tree, field=str(fields[2].pk), author_phone="09", title="", is_trade_secret="on",
                    applied_from="01/02/2021", author_full_name="Trần <b>Bình</b>")
    pages = [client.get(url), client.get(url + f"?don-vi={tree['g11'].code}"), client.post(url, bad)]
    assert rendered.count("django/forms/widgets/select.html") == 3  # field and recognition form; field chosen
    assert "django/forms/widgets/radio_option.html" in rendered
    rendered.clear()
    pages += [client.get(url), client.get(url + f"?don-vi={tree['g11'].code}"), client.post(url, bad)]
    assert [p.status_code for p in pages] == [200] * 6
    assert not {"django/forms/widgets/select.html", "django/forms/widgets/radio_option.html",
                "django/forms/widgets/textarea.html", "django/forms/widgets/checkbox.html"} & set(rendered)
    # typed values (the form token, the author's name) are remembered as a shape, not as text: the
    # second round renders no widget template at all, and the memo holds none of what was typed
    assert not [name for name in rendered if name.startswith("django/forms/widgets/")]
    memo = "".join(initiative_forms.MEMOISING_RENDERER._memo.values())
    tokens = [t.decode() for p in pages for t in re.findall(rb'name="submission_token" value="([0-9a-f]+)"', p.content)]
    assert tokens and not [t for t in tokens if t in memo]
    assert "Bình" not in memo and member.full_name not in memo
    assert initiative_forms.TYPED_TEXT_MARK in memo
    # Django's renderer, rendering every widget every time, gives the same pages
    monkeypatch.setattr(initiative_forms.InitiativeDetailsForm, "default_renderer", DjangoTemplates())
    again = [client.get(url), client.get(url + f"?don-vi={tree['g11'].code}"), client.post(url, bad)]
    for memoised, plain in zip(pages, again * 2, strict=True):
        assert normalised(memoised.content) == normalised(plain.content)
    html = normalised(pages[5].content)
    assert f'<option value="{fields[2].pk}" selected>' in html
    assert "Trần &lt;b&gt;Bình&lt;/b&gt;" in html


@time_machine.travel(local_datetime(2021, 4, 5, 10), tick=False)
def test_the_form_page_reads_its_lists_at_once(client, member, tree, phase, fields, monkeypatch):
    """No list of the page is read through a chunked (on PostgreSQL: server-side) cursor that could
    stay open past the request's transaction: the field list is read into memory."""
    chunked: list[str] = []
    plain = connection.chunked_cursor

    def spy():
        chunked.append("chunked")
        return plain()

    monkeypatch.setattr(connection, "chunked_cursor", spy)
    page = client.get(submit_url(phase) + f"?don-vi={tree['g11'].code}")
    assert page.status_code == 200
    assert chunked == []
    for field in fields:
        assert f'<option value="{field.pk}">{field.name}</option>' in page.content.decode()


@time_machine.travel(local_datetime(2021, 4, 5, 10), tick=False)
def test_a_resent_form_returns_the_first_initiative_whatever_check_comes_first(client, member, tree, phase):
    """The token is no longer looked up before saving: a resent form still gets the first
    initiative, whether the exact-text check, the closed window or the unique token stops it."""
    data = form_data(tree)
    first = client.post(submit_url(phase), data)
    assert first.status_code == 302
    initiative = Initiative.objects.get()
    again = client.post(submit_url(phase), data)  # double click: the exact-text check would refuse it
    assert again.status_code == 302 and again["Location"] == first["Location"]
    edited = client.post(submit_url(phase), data | {"title": "Tên khác sau khi bấm quay lại"})  # the INSERT fails
    assert edited.status_code == 302 and edited["Location"] == first["Location"]
    with time_machine.travel(local_datetime(2021, 4, 21, 0, 0, 1), tick=False):  # window closed meanwhile
        late = client.post(submit_url(phase), data)
    assert late.status_code == 302 and late["Location"] == first["Location"]
    assert Initiative.objects.get() == initiative


@time_machine.travel(local_datetime(2021, 4, 5, 10), tick=False)
def test_authors_are_written_once_each_and_the_member_person_kept(client, member, tree, phase):
    """Plain INSERTs for the authorships: an author typed twice (same phone) is one authorship at the
    first position; the member's own person is updated in place, never doubled."""
    person = Person.objects.create(user=member, full_name="Tên cũ", phone="+84912345678")
    data = form_data(tree, co_authors="Trần Văn Bình, 0987 654 321\nTrần Văn Bình, 0987 654 321\nLê Thị Cúc",
                     author_job="Giáo viên")
    assert client.post(submit_url(phase), data).status_code == 302
    initiative = Initiative.objects.get()
    rows = list(Authorship.objects.filter(initiative=initiative).order_by("position")
                .values_list("position", "full_name", "person__user"))
    assert rows == [(0, "Nguyễn Thị Hoa", member.pk), (1, "Trần Văn Bình", None), (3, "Lê Thị Cúc", None)]
    person.refresh_from_db()
    assert (person.full_name, person.job) == ("Nguyễn Thị Hoa", "Giáo viên")
    assert Person.objects.filter(user=member).count() == 1


@pytest.mark.parametrize("value", [
    "Nguyễn Thị Hoa", 'Trần "Bình" <b>&amp;</b>', "O'Neil & Co", "<script>alert(1)</script>", "  khoảng trắng  ",
    "skTypedTextMark9f3c1a7e", "dòng 1\ndòng 2", "0912 345 678"])
@pytest.mark.parametrize("widget", [forms.TextInput(attrs={"autocomplete": "name"}), forms.EmailInput(),
                                    forms.HiddenInput(), forms.Textarea(attrs={"rows": 3})],
                         ids=["text", "email", "hidden", "textarea"])
def test_a_typed_value_is_put_into_the_remembered_shape_as_django_renders_it(widget, value):
    """Every widget holding typed text gives the HTML Django's renderer gives, for values that need
    escaping, the mark itself and spaces; the memo keeps the shape, never the value."""
    renderer = initiative_forms.MemoisingRenderer()
    for _ in range(2):  # the first renders the shape, the second takes it from the memo
        assert widget.render("author", value, renderer=renderer) == widget.render("author", value,
                                                                                   renderer=DjangoTemplates())
    assert value not in "".join(renderer._memo.values()) or value == initiative_forms.TYPED_TEXT_MARK
    assert len(renderer._memo) == 1


def test_a_value_already_marked_safe_is_rendered_as_usual():
    """A safe string is not escaped by the templates: it is rendered afresh, not put into a shape."""
    renderer = initiative_forms.MemoisingRenderer()
    value = mark_safe("<b>đậm</b>")
    html = forms.TextInput().render("x", value, renderer=renderer)
    assert html == forms.TextInput().render("x", value, renderer=DjangoTemplates())
    assert 'value="<b>đậm</b>"' in html
    assert not renderer._memo
