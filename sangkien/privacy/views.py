"""The person's own pages (docs/privacy.md, "Your rights (self-service)").

"Dữ liệu của tôi" shows what we hold about the signed-in person, lets them
correct it, change their consent per purpose, download it (JSON, XLSX) and
delete their account; "Xác nhận tác giả" is the step shown after signing in
when participants entered by others carry the person's verified phone;
"Ai đã xem dữ liệu của tôi" lists who viewed, downloaded, reviewed or
exported their data.  Every page works on ``request.user`` only: there is no
id in these URLs and none is read from the request, so nobody reaches
another person's data.  The views parse and call: writes are in
``sangkien.privacy.services`` (and ``accounts.services.set_consents``).

The URL names of the first four stay those of the account pages
(``accounts_my_data``, …); the paths are under ``tai-khoan/``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from sangkien.accesslog.models import AccessKind
from sangkien.accounts.consent import current_choices, history
from sangkien.accounts.forms import ConsentForm, DeleteAccountForm, ProfileForm
from sangkien.accounts.http import AuthenticatedHttpRequest
from sangkien.accounts.models import ConsentSource, Purpose
from sangkien.accounts.services import set_consents
from sangkien.accounts.views import safe_next_url
from sangkien.core.clock import local_now
from sangkien.core.exceptions import DomainError
from sangkien.core.models import log_action
from sangkien.privacy import mydata, services
from sangkien.privacy.access import accesses_concerning

if TYPE_CHECKING:
    from sangkien.accounts.models import User

PER_PAGE = 25


@login_required
@require_GET
def access_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Who viewed, downloaded, reviewed or exported the signed-in person's data: name, role and
    unit (never their phone), what, when (local time); 25 a page (``?trang=``)."""
    page = Paginator(accesses_concerning(request.user), PER_PAGE).get_page(request.GET.get("trang"))
    return render(request, "privacy/access_log.html", {"page": page, "AccessKind": AccessKind})


def _profile_initial(user: User) -> dict[str, str]:
    person = getattr(user, "person", None)
    return {"full_name": user.full_name, "email": user.email or "",
            "job": getattr(person, "job", "") or "", "workplace": getattr(person, "workplace", "") or ""}


def _consent_messages(request: HttpRequest, changed: list[str], choices: dict[str, bool]) -> None:
    if not changed:
        messages.info(request, _("Không có thay đổi nào về đồng ý."))
        return
    if Purpose.PARTICIPATION in changed and not choices[Purpose.PARTICIPATION]:
        messages.warning(request, _(
            "Bạn đã rút đồng ý tham gia chương trình: bạn sẽ không gửi được sáng kiến mới. Các sáng kiến "
            "đã gửi vẫn được giữ trong hồ sơ của chương trình."))
    messages.success(request, _("Đã lưu lựa chọn đồng ý của bạn."))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def my_data(request: AuthenticatedHttpRequest) -> HttpResponse:
    """"Dữ liệu của tôi": what we hold, with correction (``action=profile``) and consent (``action=consent``)."""
    user: User = request.user
    profile_form = ProfileForm(initial=_profile_initial(user), user=user)
    consent_form = ConsentForm(initial=current_choices(user))
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "profile":
        profile_form = ProfileForm(request.POST, user=user)
        if profile_form.is_valid():
            changed = services.correct_profile(user=user, **profile_form.cleaned_data)
            messages.success(request, _("Đã sửa thông tin của bạn.") if changed else
                             _("Không có thay đổi nào về thông tin."))
            return redirect("accounts_my_data")
    elif action == "consent":
        consent_form = ConsentForm(request.POST)
        if consent_form.is_valid():
            choices = consent_form.choices()
            changed = set_consents(user=user, choices=choices, source=ConsentSource.DATA_PAGE)
            _consent_messages(request, changed, choices)
            return redirect("accounts_my_data")
    return render(request, "account/my_data.html", {
        "data": mydata.collect(user), "history": history(user), "profile_form": profile_form,
        "consent_form": consent_form, "purposes": dict(Purpose.choices),
    })


@never_cache
@login_required
def download_my_data(request: AuthenticatedHttpRequest, fmt: str) -> HttpResponse:
    """The person's data as a file: ``fmt`` ``json`` or ``xlsx`` (anything else: 404). Audited."""
    if fmt not in {"json", "xlsx"}:
        raise Http404
    user: User = request.user
    data = mydata.collect(user)
    if fmt == "json":
        body, content_type = mydata.as_json(data), "application/json; charset=utf-8"
    else:
        body = mydata.as_xlsx(data)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    log_action(actor=user, action="user.data_exported", obj=user, format=fmt)
    response = HttpResponse(body, content_type=content_type)
    name = f"du-lieu-cua-toi-{local_now():%Y%m%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@never_cache
@login_required
@sensitive_post_parameters("confirm")
@require_http_methods(["GET", "POST"])
def delete_account(request: AuthenticatedHttpRequest) -> HttpResponse:
    """"Xoá tài khoản": explains what goes and what stays; deletes after the password or phone is typed."""
    user: User = request.user
    form = DeleteAccountForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        services.delete_account(user=user)
        logout(request)
        messages.success(request, _("Đã xoá tài khoản và dữ liệu cá nhân của bạn."))
        return redirect("home")
    return render(request, "account/delete_account.html", {"form": form, "data": mydata.collect(user)},
                  status=400 if form.errors else 200)


def claim_target(request: AuthenticatedHttpRequest, next_url: str) -> str | None:
    """The URL of the "Xác nhận tác giả" step (passing ``next_url`` on) when participants await the
    signed-in person's answer; None otherwise.  Called after sign-in and after the phone is verified."""
    user: User = request.user
    user.refresh_from_db(fields=["phone", "phone_verified_at"])  # the code may have been checked on another copy
    if not services.pending_claims(user).exists():
        return None
    return f"{reverse('accounts_claim')}?{urlencode({'next': next_url})}"


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def claim(request: AuthenticatedHttpRequest) -> HttpResponse:
    """"Bạn được ghi là tác giả/đồng tác giả của N sáng kiến": confirm (``action=confirm``, with
    consent per purpose), deny (``action=not_me``) or decide later (a link; nothing recorded)."""
    user: User = request.user
    next_url = safe_next_url(request)
    persons = list(services.pending_claims(user).prefetch_related("authorships__initiative__unit"))
    if not persons:
        return HttpResponseRedirect(next_url)
    consent_form = ConsentForm(initial=current_choices(user))
    error = ""
    if request.method == "POST":
        ids = [v for v in request.POST.getlist("person") if v.isdecimal()]
        if request.POST.get("action") == "not_me":
            services.decline_persons(user=user, person_ids=[int(v) for v in ids])
            messages.info(request, _("Đã ghi nhận: đó không phải là bạn. Các sáng kiến đó không gắn với tài khoản "
                                     "của bạn."))
            return HttpResponseRedirect(next_url)
        consent_form = ConsentForm(request.POST)
        if consent_form.is_valid():
            try:
                services.claim_persons(user=user, person_ids=[int(v) for v in ids], consents=consent_form.choices())
            except DomainError as exc:
                error = exc.message
            else:
                messages.success(request, _("Đã gắn các sáng kiến với tài khoản của bạn."))
                return HttpResponseRedirect(next_url)
    initiatives = [a.initiative for p in persons for a in p.authorships.all()]
    return render(request, "account/claim.html", {
        "persons": persons, "initiatives": initiatives, "consent_form": consent_form, "next_url": next_url,
        "error": error,
    }, status=409 if error else 200)
