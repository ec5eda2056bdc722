"""Forms of the units app."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PlanUploadForm(forms.Form):
    """A reorganisation plan file (.csv or .xlsx; docs/units.md, "File format")."""

    file = forms.FileField(label=_("Tệp phương án (.csv, .xlsx)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}))
