"""One-row look-ups sent as plain statements, for the reads every submission makes (issue 12).

Building a query through the ORM costs a fixed amount of CPU — cloning the
queryset, resolving the lookups, compiling the SQL — that on a one-row
indexed look-up is many times what the database spends on it (round 10, in
process: a consent look-up 0.24 ms through the ORM against 0.012 ms sent as
SQL). :func:`first_row` builds the statement once per shape from the
model's own table and column names and sends only the values as parameters.

Only for reads on a path every submission takes (docs/architecture.md,
"Reads written as SQL on the submission path"); everything else reads
through the ORM.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import connection, connections, models

ModelT = TypeVar("ModelT", bound=models.Model)


@functools.lru_cache(maxsize=64)
def _statement(model: type[models.Model], columns: tuple[str, ...], equal: tuple[str, ...], order_by: str) -> str:
    meta, quote = model._meta, connection.ops.quote_name

    def column(name: str) -> str:
        return quote(meta.get_field(name).column)  # type: ignore[union-attr,arg-type]  # concrete fields only

    descending = order_by.startswith("-")
    order = f" ORDER BY {column(order_by.lstrip('-'))}{' DESC' if descending else ''}" if order_by else ""
    return (f"SELECT {', '.join(column(c) for c in columns) or '1'} FROM {quote(meta.db_table)}"  # noqa: S608  # names from the model
            f" WHERE {' AND '.join(f'{column(name)} = %s' for name in equal)}{order} LIMIT 1")


def first_row(model: type[models.Model], columns: tuple[str, ...] = (), *, order_by: str = "",
              **equal: Any) -> tuple[Any, ...] | None:
    """The values of ``columns`` (field names; none: the row's presence, ``(1,)``) of the first row of
    ``model`` whose fields equal ``equal`` (field names, a foreign key by its ``…_id`` name; plain
    values: an id, a string), in ``order_by`` order (a field name, ``-`` for descending); ``None``
    when there is no such row.

    The values come as the database driver gives them, without the ORM's conversions: SQLite gives
    a boolean as 0 or 1, a date as text — convert what you read.

    :raises django.core.exceptions.FieldDoesNotExist: a name is not a field of ``model``.
    """
    if not equal:
        raise ValueError("first_row needs at least one condition")
    sql = _statement(model, tuple(columns), tuple(equal), order_by)
    with connection.cursor() as cursor:
        cursor.execute(sql, list(equal.values()))
        row: tuple[Any, ...] | None = cursor.fetchone()
        return row


@functools.lru_cache(maxsize=32)
def _by_pk_plan(model: type[models.Model], using: str) -> tuple[str, list[str], list[tuple[int, list[Any], Any]]]:
    """The statement reading ``model``'s concrete columns by primary key on the database ``using``, the
    fields' attribute names, and the converters of each column that has any (the ORM's: the backend's,
    then the field's — a SQLite boolean or date, a JSON field)."""
    meta, connection = model._meta, connections[using]
    quote = connection.ops.quote_name
    fields = list(meta.concrete_fields)
    sql = (f"SELECT {', '.join(quote(f.column) for f in fields)} FROM {quote(meta.db_table)}"  # noqa: S608  # names from the model
           f" WHERE {quote(meta.pk.column)} = %s")
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(meta.db_table)
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if found:
            converters.append((index, found, column))
    return sql, [f.attname for f in fields], converters


def by_pk(model: type[ModelT], pk: int | str, *, using: str) -> ModelT | None:
    """The instance of ``model`` whose primary key is ``pk`` (an int, or its text as a session keeps it),
    every concrete field loaded and converted as the ORM does, read from the database ``using`` (an alias
    of ``DATABASES``); ``None`` when there is none.

    What ``model.objects.get(pk=pk)`` returns, for a fifth to a third of its CPU (issue 12, round 11: the
    signed-in user, read on every request: 0.17 → 0.02 ms on SQLite, 0.23 → 0.07 ms on PostgreSQL, in
    process).  ``post_init`` is sent, as for every instance the ORM builds.

    :raises ValueError, TypeError: ``pk`` is not a valid primary key value (as the ORM raises).
    """
    sql, attnames, converters = _by_pk_plan(model, using)
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(sql, [model._meta.pk.get_prep_value(pk)])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for index, functions, column in converters:
        value = values[index]
        for function in functions:
            value = function(value, column, connection)
        values[index] = value
    return model.from_db(using, attnames, values)


def int_array(values: Iterable[int]) -> str:
    """``values`` (integers) as a PostgreSQL array literal, ``"{1,2,3}"``: the one parameter of a
    ``%s::integer[]`` or ``%s::bigint[]`` placeholder.

    psycopg's client-side binding (Django's default) quotes a Python list item by item in Python:
    43 µs for 80 keys and about 1 ms for 800 ids, against 3 µs for the same values as one string
    (issue 12, round 11).  The values stay a bound parameter: PostgreSQL parses the literal and refuses
    anything that is not an integer.
    """
    return "{" + ",".join(map(str, values)) + "}"
