"""The person's page "Ai đã xem dữ liệu của tôi" (who viewed my data)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sangkien.privacy.access import accesses_concerning
from sangkien.privacy.models import AccessKind

PER_PAGE = 25


@login_required
@require_GET
def access_log(request: HttpRequest) -> HttpResponse:
    """Who viewed, downloaded, reviewed or exported the signed-in person's data: name, role and
    unit (never their phone), what, when (local time); 25 a page (``?trang=``)."""
    page = Paginator(accesses_concerning(request.user), PER_PAGE).get_page(request.GET.get("trang"))
    return render(request, "privacy/access_log.html", {"page": page, "AccessKind": AccessKind})
