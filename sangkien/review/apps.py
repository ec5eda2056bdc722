from django.apps import AppConfig


class ReviewConfig(AppConfig):
    """The officers' pages: home, review queue, decisions (one or in bulk), holds, entry on behalf."""

    name = "sangkien.review"
    label = "review"
    verbose_name = "Review"
