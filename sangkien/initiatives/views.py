"""Member pages: submit, track, edit a returned initiative, download files."""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db import OperationalError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from sangkien.accesslog.services import record_access
from sangkien.accounts.consent import participation_withdrawn
from sangkien.accounts.http import AuthenticatedHttpRequest
from sangkien.core.clock import now
from sangkien.core.exceptions import DomainError
from sangkien.core.phone import display_phone
from sangkien.core.sql import first_row
from sangkien.initiatives.access import get_initiative_for
from sangkien.initiatives.attachments import (
    content_type_for,
    drop_held,
    held_uploads,
    hold_uploads,
    opened,
    resubmit_with_attachments,
)
from sangkien.initiatives.form_page import (
    AUTHOR_FIELDS,
    FRAGMENT_SECONDS,
    LazyChooser,
    fragment_key,
    kept_open_programme,
    page_key,
    serve_page,
)
from sangkien.initiatives.forms import (
    InitiativeDetailsForm,
    ReturnedEditForm,
    ReviewForm,
    SubmissionForm,
)
from sangkien.initiatives.models import Initiative, PendingUpload, Person, Status
from sangkien.initiatives.services import submit_initiative
from sangkien.initiatives.text_checks import ExactResubmission, text_checks
from sangkien.initiatives.totals import programme_total
from sangkien.programmes.models import Phase, Programme
from sangkien.units.chooser import UNLISTED, build_levels, codes_for, destination, resolve_choice
from sangkien.units.models import Unit

if TYPE_CHECKING:
    from sangkien.accounts.models import User

logger = logging.getLogger(__name__)

#: A form that could not be saved because the database was busy comes back with this status.
BUSY_STATUS = 503
#: Seconds the browser (or a proxy) is told to wait before sending again.
BUSY_RETRY_AFTER = "5"


def busy_message() -> str:
    """The translated "busy, press send again" error of a form whose save met an
    ``OperationalError`` (SQLite's "database is locked" after its busy timeout,
    issue 9 item 6): nothing was saved and everything typed is re-displayed."""
    return _("Hệ thống đang bận nên chưa lưu được. Những gì bạn đã nhập vẫn còn bên dưới: "
             "bạn bấm Gửi lại sau vài giây.")


def busy(response: HttpResponse) -> HttpResponse:
    """``response`` (the re-displayed form) as a 503 with ``Retry-After``."""
    response.status_code = BUSY_STATUS
    response["Retry-After"] = BUSY_RETRY_AFTER
    return response


#: Why a member who withdrew the consent to take part cannot submit (docs/privacy.md).
NO_PARTICIPATION_CONSENT = gettext_lazy(
    "Bạn đã rút đồng ý tham gia chương trình nên chưa gửi được sáng kiến mới. Để gửi, hãy đồng ý lại ở "
    "trang “Dữ liệu của tôi”.")


def _root() -> Unit:
    """The national root, where the unit chooser starts (404 while no unit tree is loaded)."""
    root = Unit.objects.get_first_root_node()
    if root is None:
        raise Http404
    return root


def _author_initial(user: User) -> dict[str, str]:
    """The author fields of an empty form: the member's account, and the job and workplace of their
    participant record (read as a plain statement: every form page asks, issue 12 round 10)."""
    job, workplace = first_row(Person, ("job", "workplace"), user_id=user.pk) or ("", "")
    return {
        "author_full_name": user.full_name,
        "author_phone": display_phone(user.phone) if user.phone else "",
        "author_email": user.email or "",
        "author_job": job,
        "author_workplace": workplace,
    }


def _closed(request: HttpRequest, programme: Programme) -> HttpResponse:
    """The page of a programme that does not take initiatives now: since when
    it is closed (or when it opens) and what it has gathered (issue 8 item 8)."""
    at = now()
    upcoming = programme.next_phase(at)
    last = programme.phases.filter(submission_end__lte=at).order_by("-submission_end").first()
    return render(request, "initiatives/closed.html", {
        "programme": programme, "upcoming": upcoming, "last": last, "total": programme_total(programme)})


@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, slug: str) -> HttpResponse:
    """The submission form; ``?don-vi=CODE`` preselects the unit (QR links).

    A programme that is not open shows its closed page (to anyone) instead of
    a form; a form sent after the window closed is re-displayed with the
    error and everything typed.  Files chosen on a form that comes back with
    errors are held (``attachments.hold_uploads``) and listed with a
    "remove" box; they are attached when the form is accepted.
    """
    programme, phase = kept_open_programme(slug)
    if programme is None:
        raise Http404
    if request.method == "GET" and phase is None:
        return _closed(request, programme)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.method == "GET" and participation_withdrawn(request.user):
        messages.error(request, NO_PARTICIPATION_CONSENT)
        return redirect(reverse("accounts_my_data") + "#dong-y")
    existing = similar = None
    database_busy = False
    context: dict[str, Any]
    if request.method == "POST":
        token = (request.POST.get("submission_token") or "")[:64]
        held = held_uploads(owner=request.user, token=token)
        form = SubmissionForm(request.POST, request.FILES, phase=phase, held=held, uploader=request.user)
        if form.is_valid():
            unit, unlisted, unit_error = resolve_choice(None, form.unit_codes())  # None: the root, in the same query
            if participation_withdrawn(request.user):  # withdrawn while the form was open: keep the text
                form.add_error(None, NO_PARTICIPATION_CONSENT)
            elif unit_error:
                form.add_error(None, unit_error)
            else:
                removed = set(form.cleaned_data.get("remove_pending") or [])
                kept = [h for h in held if h.pk not in removed]
                try:
                    with opened(kept) as held_files:
                        initiative, created = submit_initiative(
                            programme=programme, unit=unit, unit_unlisted=unlisted,  # type: ignore[arg-type]  # no unit_error: a unit
                            unit_unlisted_name=form.cleaned_data.get("unit_unlisted_name", ""),
                            details=form.details(), authors=form.authors(),
                            files=[*held_files, *(form.cleaned_data.get("attachments") or [])],
                            actor=request.user, submission_token=form.cleaned_data["submission_token"],
                            phase=phase,
                        )
                except ExactResubmission as exc:
                    form.add_error(None, exc.message)
                    existing = exc.existing
                except DomainError as exc:
                    form.add_error(None, exc.message)
                except OperationalError:
                    logger.warning("submission not saved: database busy", exc_info=True)
                    form.add_error(None, busy_message())
                    database_busy = True
                else:
                    if held:  # those read above: a form sent without held files has none to drop
                        drop_held(owner=request.user, token=token)
                    if created:
                        messages.success(request, _("Đã gửi sáng kiến. Mã theo dõi của bạn: %(code)s") % {
                            "code": initiative.tracking_code})
                    return redirect("initiatives:detail", code=initiative.tracking_code)
        _keep_files(request, form, token, held)
        similar = text_checks().similar_for_form(user=request.user, programme=programme,  # shown without JS too
                                                 title=request.POST.get("title", "")[:300],
                                                 description=form.sanitised_description)
        context = _chooser(form, _root())
    else:
        return _empty_form_page(request, request.user, programme, phase)  # type: ignore[arg-type]  # a GET has an open phase
    response = render(request, "initiatives/submit.html", {
        "existing": existing, "similar": similar, "programme": programme, "phase": phase, "form": form,
        "similar_min_words": text_checks().similar_min_words,
        **context,
    })
    return busy(response) if database_busy else response


def _empty_form_page(request: HttpRequest, member: User, programme: Programme, phase: Phase) -> HttpResponse:
    """The form page of an unbound form, ``?don-vi=CODE`` preselecting the unit: kept whole in the
    cache with holes for the member's author fields and the request's tokens (``form_page.serve_page``),
    its same-for-everyone part also kept on its own (``fragment_key``) for the pages rendered afresh."""
    code = request.GET.get("don-vi", "")
    values = {**_author_initial(member), "csrf_token": get_token(request),
              "csp_nonce": str(request.csp_nonce),  # type: ignore[attr-defined]  # set by django-csp's middleware
              "submission_token": uuid.uuid4().hex, "language_next": request.get_full_path()}

    def render_page(filled: Mapping[str, str]) -> str:
        form = SubmissionForm(initial={**{name: filled[name] for name in AUTHOR_FIELDS},
                                       "submission_token": filled["submission_token"]}, phase=phase)
        # The chooser's queries run only when its part is rendered, not when it comes from the cache.
        context = LazyChooser(functools.partial(_preselected_chooser, form, code)).context()
        return render_to_string("initiatives/submit.html", {
            "programme": programme, "phase": phase, "form": form,
            "similar_min_words": text_checks().similar_min_words,
            "fragment_key": fragment_key(programme=programme, phase=phase, code=code),
            "fragment_seconds": FRAGMENT_SECONDS, "csrf_token": filled["csrf_token"],
            "CSP_NONCE": filled["csp_nonce"], "language_next": filled["language_next"], **context,
        }, request=request)

    return serve_page(request, page_key(request, programme=programme, phase=phase, code=code), values, render_page)


def _preselected_chooser(form: SubmissionForm, code: str) -> dict[str, Any]:
    """The chooser of an unbound ``form`` with the unit of the QR link's ``code`` chosen (if it is
    a current unit's code): its codes are set as the form's initial ``unit_N`` values."""
    root = _root()
    preselected = Unit.objects.active().by_code(code) if code else None
    lineage: list[Unit] = []
    if preselected is not None and preselected.pk != root.pk:
        lineage = preselected.lineage()  # also the chooser's chosen units: not looked up again
        for number, unit_code in enumerate(codes_for(preselected, root, lineage), start=1):
            form.initial[f"unit_{number}"] = unit_code
    return _chooser(form, root, lineage, preselected)


def _chooser(form: SubmissionForm, root: Unit, lineage: list[Unit] | None = None,
             preselected: Unit | None = None) -> dict[str, Any]:
    """The unit chooser's template values for ``form`` (``LazyChooser.NAMES``)."""
    levels = build_levels(root, form.unit_codes(), known=lineage or [])
    chosen = [lv for lv in levels if lv.selected and lv.selected != UNLISTED]
    return {
        "levels": levels, "unlisted_chosen": any(lv.selected == UNLISTED for lv in levels),
        "unlisted_name": form.data.get("unit_unlisted_name", "") if form.is_bound else "",
        "preselected": preselected, "chosen_names": [dict(lv.options).get(lv.selected, "") for lv in chosen],
        "destination": destination(levels),
    }


def _keep_files(request: HttpRequest, form: Any, token: str, held: list[PendingUpload], attached: int = 0) -> None:
    """After a failed try: drop the held files the member ticked "remove" and
    hold the acceptable new ones (within the maximum, counting the ``attached``
    ones), so the re-displayed ``form`` lists every held file (``form.held``).
    Nothing new is held when the member's upload quota is spent."""
    if not token:
        return
    removed = {str(v) for v in request.POST.getlist("remove_pending")}
    kept = [h for h in held if str(h.pk) not in removed]
    try:
        if removed:
            drop_held(owner=request.user, token=token, ids=removed)
        room = settings.SANGKIEN_ATTACHMENT_MAX_FILES - len(kept) - attached
        if form.fields["attachments"].over_quota:
            room = 0
        new = hold_uploads(owner=request.user, token=token, uploads=request.FILES.getlist("attachments"),
                           room=max(room, 0))
    except OperationalError:  # still busy: the typed text comes back; new files must be chosen again
        logger.warning("chosen files not held: database busy", exc_info=True)
        form.held = held
        return
    form.held = kept + new


@login_required
def mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The member's own initiatives with status and the reviewer's reason."""
    initiatives = (Initiative.objects.filter(submitted_by=request.user)
                   .select_related("programme", "unit", "duplicate_of").order_by("-submitted_at"))
    return render(request, "initiatives/mine.html", {"initiatives": initiatives})


@login_required
def detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """One initiative: status, history; personal data and review form by permission."""
    initiative = get_initiative_for(request.user, code)
    if initiative.duplicate_of_id:
        initiative.duplicate_of = Initiative.objects.select_related("unit").get(pk=initiative.duplicate_of_id)
    can_review = request.user.has_perm("initiatives.review", initiative)
    record_access(actor=request.user, kind="initiative_view", initiative=initiative, object_ref=initiative.tracking_code)
    return render(request, "initiatives/detail.html", {
        "initiative": initiative,
        "authorships": initiative.authorships.all(),  # the snapshots; never the person's stored fields
        "history": initiative.history.select_related("actor"),
        "attachments": initiative.attachments.all(),
        "show_personal": request.user.has_perm("initiatives.view_personal_data", initiative),
        "can_review": can_review,
        "can_see_duplicates": request.user.has_perm("initiatives.list_unit", initiative),
        "review_form": ReviewForm(status=initiative.status) if can_review else None,
        "can_edit": initiative.status == Status.RETURNED
        and request.user.has_perm("initiatives.edit_returned", initiative),
    })


@login_required
@require_http_methods(["GET", "POST"])
def edit_returned(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """The member completes an initiative returned for changes and sends it back:
    details, new attachments (within the maximum) and removal of their own."""
    initiative = get_initiative_for(request.user, code, "initiatives.edit_returned")
    token = f"edit-{initiative.tracking_code}"
    held = held_uploads(owner=request.user, token=token)
    database_busy = False
    if request.method == "POST":
        form = ReturnedEditForm(request.POST, request.FILES, phase=initiative.phase, initiative=initiative,
                                held=held, uploader=request.user)
        if form.is_valid():
            removed = set(form.cleaned_data.get("remove_pending") or [])
            kept = [h for h in held if h.pk not in removed]
            try:
                with opened(kept) as held_files:
                    resubmit_with_attachments(
                        initiative=initiative, details=form.details(), actor=request.user,
                        add=[*held_files, *(form.cleaned_data.get("attachments") or [])],
                        remove=[a.pk for a in form.cleaned_data.get("remove_attachments") or []])
            except DomainError as exc:
                form.add_error(None, exc.message)
            except OperationalError:
                logger.warning("resubmission not saved: database busy", exc_info=True)
                form.add_error(None, busy_message())
                database_busy = True
            else:
                drop_held(owner=request.user, token=token)
                messages.success(request, _("Đã gửi lại sáng kiến."))
                return redirect("initiatives:detail", code=initiative.tracking_code)
        removed = {str(v) for v in request.POST.getlist("remove_attachments")}
        _keep_files(request, form, token, held,
                    attached=len([a for a in initiative.attachments.all() if str(a.pk) not in removed]))
    else:
        initial = {name: getattr(initiative, name) for name in InitiativeDetailsForm.base_fields}
        initial["benefit_vnd"] = "" if initiative.benefit_vnd is None else f"{initiative.benefit_vnd:,}".replace(",", ".")
        form = ReturnedEditForm(initial=initial, phase=initiative.phase, initiative=initiative, held=held)
    response = render(request, "initiatives/edit.html", {
        "initiative": initiative, "form": form, "attached": initiative.attachments.all(),
        "removed_attachments": request.POST.getlist("remove_attachments") if request.method == "POST" else []})
    return busy(response) if database_busy else response


def track(request: HttpRequest) -> HttpResponse:
    """Public look-up by tracking code: status and reason, no personal data."""
    code = (request.GET.get("ma") or "").strip().upper()
    initiative = None
    if code:
        initiative = (Initiative.objects.select_related("programme", "unit", "duplicate_of")
                      .filter(tracking_code=code).first())
    return render(request, "initiatives/track.html", {"code": code, "initiative": initiative})


@login_required
def attachment(request: AuthenticatedHttpRequest, code: str, pk: int) -> FileResponse:
    """Download an attachment: only for those who may see the initiative.

    Always as a download (``Content-Disposition: attachment``), with the type
    of its checked extension (``attachments.content_type_for``), ``nosniff``
    and a sandboxing Content-Security-Policy, so that even a file stored
    before contents were checked (HTML named ``.png``) never runs as a page
    of ours (issue 9 item 10).
    """
    initiative = get_initiative_for(request.user, code, "initiatives.view_personal_data")
    item = get_object_or_404(initiative.attachments, pk=pk)
    record_access(actor=request.user, kind="attachment_download", initiative=initiative, object_ref=item.original_name)
    response = FileResponse(item.file.open("rb"), as_attachment=True, filename=item.original_name,
                            content_type=content_type_for(item.original_name))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def unit_levels(request: HttpRequest) -> HttpResponse:
    """htmx partial: the unit chooser after a level changed or a search was typed."""
    codes = [request.GET.get(f"unit_{n}", "") for n in range(1, 5)]
    raw = request.GET.get("changed", "").strip()
    changed = int(raw) if raw.isdecimal() and int(raw) <= len(codes) else 0  # anything else: no level changed
    if changed:
        codes = [c if i < changed else "" for i, c in enumerate(codes)]
        codes[changed - 1] = request.GET.get(f"unit_{changed}", "")
    queries = {n: request.GET.get(f"q_{n}", "") for n in range(2, 5) if request.GET.get(f"q_{n}")}
    levels = build_levels(_root(), codes, queries)
    return render(request, "initiatives/_unit_chooser.html", {
        "levels": levels, "unlisted_chosen": any(lv.selected == UNLISTED for lv in levels),
        "destination": destination(levels), "oob": True,
        "unlisted_name": request.GET.get("unit_unlisted_name", "")})
