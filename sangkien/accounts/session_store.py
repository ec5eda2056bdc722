"""The database session engine, whose read of a session is one plain statement (issue 12, round 11).

``SESSION_ENGINE = "sangkien.accounts.session_store"`` (settings, when no
``REDIS_URL`` is set: with Redis, sessions live in the cache).  Every request
of a signed-in person reads their session before anything else; Django's
``db.SessionStore`` builds that read through the ORM
(``Session.objects.get(session_key=…, expire_date__gt=now)``), which costs
many times what the database spends on it: in process, 0.15 ms of CPU on
SQLite and 0.30 ms on PostgreSQL against 0.02 and 0.10 ms for the same
row read as SQL (round 11's measurement, docs/benchmarks.md).  The session
key is the table's primary key, so the row is read by
:func:`sangkien.core.sql.by_pk`, and its expiry compared here.

Same table, same rows, same encoding and the same expiry test as Django's
store, so sessions written before or by Django's store (``benchmarks/surge_setup.py``,
``manage.py clearsessions``) are read alike; creating, saving, deleting and
clearing are Django's.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.db import router
from django.utils import timezone

from sangkien.core.sql import by_pk


class SessionStore(db.SessionStore):
    """Django's database session store, reading a session with one plain statement.

    :meth:`load` returns the session's data (a dict), or ``{}`` for an unknown or expired key, after
    which the store has no key (a new one is made when the session is saved) — as Django's does.
    """

    def load(self) -> dict[str, Any]:
        if self.session_key is None:  # Django's store sets an invalid key to None
            return {}
        model = self.model
        found = by_pk(model, self.session_key, using=router.db_for_read(model))
        if found is None or found.expire_date <= timezone.now():
            self._session_key = None
            return {}
        return self.decode(found.session_data)
