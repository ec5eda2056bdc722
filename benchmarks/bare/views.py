"""The bare benchmark's one view: a signed-in user's form that inserts one row."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

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
