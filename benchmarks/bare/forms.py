"""The bare benchmark's one-model form."""

from django import forms

from benchmarks.bare.models import Note


class NoteForm(forms.ModelForm):
    """Title and text of a :class:`Note`; the author is the signed-in user."""

    class Meta:
        model = Note
        fields = ["title", "text"]
