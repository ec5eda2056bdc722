"""Releasing a held submission (issue 9 item 8): a reviewer of the level above counts it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sangkien.accounts.http import AuthenticatedHttpRequest
from sangkien.core.exceptions import DomainError
from sangkien.initiatives.access import get_initiative_for
from sangkien.initiatives.plausibility import release_hold


@login_required
@require_POST
def release(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """POST: release the held initiative ``code`` and go back to its page.

    :raises Http404: not visible to the user.
    :raises PermissionDenied: visible but not releasable by them (``initiatives.release_hold``).
    """
    initiative = get_initiative_for(request.user, code, "initiatives.release_hold")
    try:
        release_hold(initiative=initiative, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã xác nhận: sáng kiến được tính từ bây giờ."))
    return redirect("initiatives:detail", code=initiative.tracking_code)
