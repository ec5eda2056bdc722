"""Prepare the deadline-surge load test (run by benchmarks/surge.py).

Creates, in the database named by DATABASE_URL: the national unit tree, a
few grassroots unions per province, a programme open now, MEMBERS signed-in
members (real Django sessions, so the load test skips the sign-in pages) and
OFFICERS reviewers (default 8) spread over the four levels of one lineage —
national (TLĐ), a province, one of its districts, one of its grassroots
unions — also signed in; prints a JSON document with the session keys and
unit codes.  GRASSROOTS more grassroots unions (default 130,000: the national
tree has "roughly 130,000 grassroots unions") are spread over the districts,
so that look-ups in the unit tree cost what they cost in production.  Run
with ``DJANGO_SETTINGS_MODULE=benchmarks.bare.settings`` to create the bare
benchmark's table too.

    .venv/bin/python benchmarks/surge_setup.py MEMBERS [OFFICERS [GRASSROOTS]]
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sangkien.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402

from benchmarks.submit_cost import more_grassroots  # noqa: E402
from sangkien.accounts.models import User  # noqa: E402
from sangkien.accounts.sessions import session_kind  # noqa: E402
from sangkien.core import clock  # noqa: E402
from sangkien.core.middleware import SESSION_STATE_KEY  # noqa: E402
from sangkien.demo.scenarios import open_demo  # noqa: E402
from sangkien.roles.models import Role, RoleAssignment  # noqa: E402
from sangkien.units.importers import UnitRow, import_rows  # noqa: E402
from sangkien.units.models import Unit, UnitKind  # noqa: E402


def session_for(user: User) -> str:
    """A signed-in session of ``user`` stamped as at sign-in (``accounts.sessions.stamp_session``), its key."""
    moment = clock.now().timestamp()
    store = SessionStore()
    store[SESSION_STATE_KEY] = {"kind": session_kind(user), "auth_at": moment, "seen_at": moment}
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.set_expiry(24 * 3600)
    store.create()
    return store.session_key


def main(members: int, officer_count: int = 8, grassroots: int = 130_000) -> None:
    """Create the data (see the module docstring) and print it as one JSON line."""
    call_command("migrate", verbosity=0)
    call_command("load_national_units", stdout=open(os.devnull, "w"))  # noqa: SIM115
    districts = list(Unit.objects.filter(kind=UnitKind.DISTRICT_FEDERATION).order_by("code")[:200])
    rows = [UnitRow(code=f"{d.code}-S{i}", name=f"CĐCS Công ty số {i} {d.name[5:]}", kind=UnitKind.GRASSROOTS,
                    parent_code=d.code, member_count=500) for d in districts for i in range(1, 4)]
    import_rows(rows)
    every_district = list(Unit.objects.filter(kind=UnitKind.DISTRICT_FEDERATION).order_by("code"))
    for index, district in enumerate(every_district):
        more_grassroots(district, grassroots // len(every_district) + (index < grassroots % len(every_district)))
    open_demo.load()
    choices = []
    for unit in Unit.objects.filter(code__contains="-S").order_by("code"):
        lineage = [u.code for u in unit.lineage()][1:]
        choices.append(lineage)
    users = User.objects.bulk_create(
        [User(username=f"surge{i}", phone=f"+8497{i:07d}", full_name=f"Thành viên {i}", password="!")  # noqa: S106
         for i in range(members)], batch_size=1000)
    officers = []
    lineage = ["TLD", *choices[0]]  # national, province, district, grassroots
    for i in range(officer_count):
        code = lineage[i % len(lineage)]
        officer = User.objects.create(username=f"surge-officer{i}", email=f"o{i}@surge.local", full_name="Cán bộ")
        RoleAssignment.objects.create(user=officer, unit=Unit.objects.get(code=code), role=Role.REVIEWER)
        officers.append((officer, code))
    print(json.dumps({
        "programme": open_demo.SLUG,
        "members": [session_for(u) for u in users],
        "officers": [{"session": session_for(u), "unit": code} for u, code in officers],
        "units": choices,
        "dashboards": ["TLD", "24", "213", choices[0][-1]],
    }))


if __name__ == "__main__":
    main(int(sys.argv[1]), *(int(a) for a in sys.argv[2:4]))
