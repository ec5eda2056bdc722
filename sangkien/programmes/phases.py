"""The submission window as a check that raises, for services (the predicate is
:func:`sangkien.programmes.predicates.phase_is_open`)."""

from __future__ import annotations

import datetime as dt

from django.utils import formats
from django.utils.translation import gettext as _

from sangkien.core.clock import LOCAL_TZ, format_deadline, now
from sangkien.core.exceptions import SubmissionClosed
from sangkien.programmes.models import Phase, Programme


def open_phase_or_raise(programme: Programme, at: dt.datetime | None = None) -> Phase:
    """Return the phase open at ``at`` (default now).

    :raises SubmissionClosed: with a message saying when the last window
        closed or when the next one opens (local time).
    """
    at = at or now()
    phase = programme.open_phase(at)
    if phase is not None:
        return phase
    upcoming = programme.next_phase(at)
    if upcoming is not None:
        opens = formats.date_format(upcoming.submission_start.astimezone(LOCAL_TZ), "H:i d/m/Y")
        raise SubmissionClosed(_("Chương trình chưa mở nhận sáng kiến. Thời gian mở: %(opens)s.") % {"opens": opens})
    last = programme.phases.order_by("-submission_end").first()
    if last is None:
        raise SubmissionClosed(_("Chương trình chưa có giai đoạn nhận sáng kiến."))
    closed = format_deadline(last.submission_end)  # "24h ngày 20/04/2021", as the letters say
    raise SubmissionClosed(
        _("Đã hết thời gian gửi sáng kiến: phần mềm tự động đóng lúc %(closed)s. "
          "Nội dung bạn đã nhập vẫn còn bên dưới để bạn sao chép lại.") % {"closed": closed}
    )
