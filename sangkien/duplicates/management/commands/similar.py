"""``manage.py similar``: ranked near-duplicates, for scripts and for checking.

Two modes::

    manage.py similar --programme SLUG (--text-file F | --initiative ID) [--top N] --format json
    manage.py similar --corpus CORPUS.jsonl --queries QUERIES.jsonl [--top N] --format json

The first queries the programme's index in the database; ``--text-file``
holds the title on its first line and the description after it (plain
text or HTML).  The second builds a throw-away index in memory from a
corpus (JSON lines with ``id``, ``title``, ``description``) and prints, for
each query line (same keys), ``{"id": …, "matches": [{"id": …, "score":
0..1, "likely_duplicate": true|false}, …]}`` — the same detector, so
anyone can measure it on their own labelled set.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sangkien.core.sanitise import clean_description
from sangkien.duplicates.detector import Document, MemoryStore, rank
from sangkien.duplicates.index import DatabaseStore
from sangkien.initiatives.models import Initiative
from sangkien.programmes.models import Programme


def _read_jsonl(path: str) -> list[dict[str, Any]]:
    rows = []
    try:
        with Path(path).open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise CommandError(f"{path}:{number}: not JSON ({exc.msg}).") from exc
                if not isinstance(row, dict) or "id" not in row:
                    raise CommandError(f"{path}:{number}: each line needs an \"id\".")
                rows.append(row)
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
    return rows


def _document(row: dict[str, Any]) -> Document:
    return Document.of(str(row.get("title") or ""), clean_description(str(row.get("description") or "")))


class Command(BaseCommand):
    help = "Rank the initiatives most similar to a text, an initiative, or each line of a file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--programme", help="slug: query this programme's index")
        parser.add_argument("--text-file", help="title on the first line, description after it")
        parser.add_argument("--initiative", type=int, help="id of an initiative of the programme")
        parser.add_argument("--corpus", help="JSON lines: id, title, description")
        parser.add_argument("--queries", help="JSON lines: id, title, description")
        parser.add_argument("--top", type=int, default=5)
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        top = max(1, options["top"])
        if options["corpus"] or options["queries"]:
            if not (options["corpus"] and options["queries"]):
                raise CommandError("--corpus and --queries go together.")
            self._corpus(options["corpus"], options["queries"], top, options["format"])
            return
        if not options["programme"]:
            raise CommandError("Give --programme SLUG (with --text-file or --initiative), or --corpus and --queries.")
        programme = Programme.objects.filter(slug=options["programme"]).first()
        if programme is None:
            raise CommandError(f"No programme with slug {options['programme']!r}.")
        exclude: list[int] = []
        if options["initiative"] is not None:
            initiative = Initiative.objects.filter(pk=options["initiative"], programme=programme).first()
            if initiative is None:
                raise CommandError(f"No initiative {options['initiative']} in programme {programme.slug!r}.")
            query = Document.of(initiative.title, initiative.description)
            query_id: Any = initiative.pk
            exclude = [initiative.pk]
        elif options["text_file"]:
            try:
                text = Path(options["text_file"]).read_text(encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"Cannot read {options['text_file']}: {exc.strerror}.") from exc
            title, _sep, description = text.partition("\n")
            query = Document.of(title.strip(), clean_description(description))
            query_id = None
        else:
            raise CommandError("Give --text-file F or --initiative ID.")
        matches = rank(DatabaseStore(programme.pk), query, top=top, exclude=exclude)
        found = Initiative.objects.select_related("unit").in_bulk([m.id for m in matches])
        out = {"id": query_id, "programme": programme.slug, "matches": [
            {"id": m.id, "score": m.score, "likely_duplicate": m.likely_duplicate,
             "tracking_code": found[m.id].tracking_code, "title": found[m.id].title,
             "unit": found[m.id].unit.code, "status": found[m.id].status}
            for m in matches if m.id in found]}
        self._emit(out, options["format"])

    def _corpus(self, corpus_path: str, queries_path: str, top: int, fmt: str) -> None:
        store = MemoryStore()
        for row in _read_jsonl(corpus_path):
            if row["id"] in store.documents([row["id"]]):
                raise CommandError(f"{corpus_path}: id {row['id']!r} appears twice.")
            store.add(row["id"], _document(row))
        for row in _read_jsonl(queries_path):
            matches = rank(store, _document(row), top=top, exclude=[row["id"]])
            self._emit({"id": row["id"], "matches": [
                {"id": m.id, "score": m.score, "likely_duplicate": m.likely_duplicate} for m in matches]}, fmt)

    def _emit(self, out: dict[str, Any], fmt: str) -> None:
        if fmt == "json":
            self.stdout.write(json.dumps(out, ensure_ascii=False))
            return
        self.stdout.write(f"{out['id']}:")
        for m in out["matches"]:
            flag = "  likely duplicate" if m["likely_duplicate"] else ""
            label = m.get("title") or ""
            self.stdout.write(f"  {m['id']}\t{m['score']:.3f}{flag}\t{label}")
