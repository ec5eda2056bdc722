"""The bare benchmark's views: a signed-in user's form that inserts one row, and an htmx partial."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from benchmarks.bare.forms import NoteForm


@login_required
def note(request: HttpRequest) -> HttpResponse:
    """GET: the form; POST: validate, insert one :class:`Note`, redirect to ``?ok=<pk>``.

    The floor of a submission: the same middleware (session, auth, CSRF) and
    server, Django's form and widget templates, one INSERT, no domain rules.
    """
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.instance.author = request.user
        saved = form.save()
        return redirect(f"{request.path}?ok={saved.pk}")
    return render(request, "bare/note.html", {"form": form})


@login_required
@require_POST
def panel(request: HttpRequest) -> HttpResponse:
    """POST ``title`` and ``description``: a small HTML fragment, no query beyond the session's.

    The floor of the similar panel's htmx POST (``duplicates.views.submit_panel``):
    the same middleware and server, the body parsed, a template rendered without
    the request's context processors, as the panel is; no search.
    """
    words = len(f"{request.POST.get('title', '')} {request.POST.get('description', '')}".split())
    return HttpResponse(render_to_string("bare/_panel.html", {"words": words}))
