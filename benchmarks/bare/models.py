"""The one model of the bare benchmark: a note with a title and a text."""

from django.conf import settings
from django.db import models


class Note(models.Model):
    """One row per bare form POST: who sent it, a title and a text."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=300)
    text = models.TextField()

    def __str__(self) -> str:
        return self.title
