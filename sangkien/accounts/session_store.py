"""The database session engine, whose read of a session is one plain statement (issue 12, round 11).

``SESSION_ENGINE = "sangkien.accounts.session_store"`` (settings, when no
``REDIS_URL`` is set: with Redis, sessions live in the cache).  Every request
of a signed-in person reads their session before anything else; Django's
``db.SessionStore`` builds that read through the ORM
(``Session.objects.get(session_key=…, expire_date__gt=now)``), which costs
many times what the database spends on it: in process, 0.15 ms of CPU on
SQLite and 0.30 ms on PostgreSQL against 0.02 and 0.10 ms for the same
statement sent as SQL (round 11's measurement, docs/benchmarks.md).

Same table, same rows, same encoding and the same expiry test as Django's
store, so sessions written before or by Django's store (``benchmarks/surge_setup.py``,
``manage.py clearsessions``) are read alike; creating, saving, deleting and
clearing are Django's.
"""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


@functools.lru_cache(maxsize=8)
def _statement(model: type[Any], using: str) -> str:
    """``SELECT session_data … WHERE session_key = %s AND expire_date > %s`` for ``model``'s table,
    quoted for the database ``using`` (an alias of ``DATABASES``)."""
    meta = model._meta
    quote = connections[using].ops.quote_name

    def column(name: str) -> str:
        return quote(meta.get_field(name).column)

    return (f"SELECT {column('session_data')} FROM {quote(meta.db_table)}"  # noqa: S608  # names from the model
            f" WHERE {column('session_key')} = %s AND {column('expire_date')} > %s")


class SessionStore(db.SessionStore):
    """Django's database session store, reading a session with one plain statement.

    :meth:`load` returns the session's data (a dict), or ``{}`` for an unknown or expired key, after
    which the store has no key (a new one is made when the session is saved) — as Django's does.
    """

    def load(self) -> dict[str, Any]:
        if self.session_key is None:  # Django's store sets an invalid key to None
            return {}
        model = self.model
        using = router.db_for_read(model)
        connection = connections[using]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(_statement(model, using), [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return {}
        return self.decode(row[0])
