"""``phase_is_open``: the submission window as a django-rules predicate, at its edges
(window 10/3/2021 00:00 – 21/4/2021 00:00 local, "24h ngày 20/4/2021")."""

import pytest
import rules
import time_machine

from sangkien.core.clock import local_datetime
from sangkien.programmes.predicates import phase_is_open

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("moment", "open_"), [
    (local_datetime(2021, 3, 9, 23, 59, 59), False),
    (local_datetime(2021, 3, 10, 0, 0, 0), True),
    (local_datetime(2021, 4, 20, 23, 59, 59), True),
    (local_datetime(2021, 4, 21, 0, 0, 0), False),
])
def test_open_only_inside_the_window(phase, moment, open_):
    with time_machine.travel(moment, tick=False):
        assert phase_is_open(None, phase.programme) is open_
        assert phase_is_open(None, phase) is open_  # anything with a programme
        assert rules.test_rule("programmes.phase_is_open", None, phase.programme) is open_


def test_a_programme_without_phases_is_closed(programme):
    assert phase_is_open(None, programme) is False
    assert phase_is_open(None, None) is False
