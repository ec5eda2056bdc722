"""Dashboards from the roll-ups (SANGKIEN_DASHBOARD_SOURCE=rollups): the same
figures once refreshed, and a new submission shows after the next refresh."""

import pytest

from sangkien.initiatives.models import Status
from sangkien.reports.rollup_refresh import refresh
from tests.factories import InitiativeFactory

pytestmark = pytest.mark.django_db(transaction=True)


def approved_on_page(client, phase, code):
    html = client.get(f"/thong-ke/{phase.programme.slug}/{code}/").content.decode()
    return html.split('data-testid="total-approved">', 1)[1].split("<", 1)[0]


def test_rollup_dashboard_matches_and_refreshes(client, tree, phase, settings):
    settings.SANGKIEN_DASHBOARD_SOURCE = "rollups"
    InitiativeFactory(phase=phase, unit=tree["g11"], status=Status.APPROVED)
    InitiativeFactory(phase=phase, unit=tree["g21"], status=Status.APPROVED)
    refresh(full=True)
    assert approved_on_page(client, phase, "TLD") == "2"
    InitiativeFactory(phase=phase, unit=tree["g12"], status=Status.APPROVED)
    assert approved_on_page(client, phase, "TLD") == "2"  # not yet refreshed
    refresh()
    assert approved_on_page(client, phase, "TLD") == "3"
    assert approved_on_page(client, phase, "375") == "2"
