"""Clusters of near-duplicates over a programme or a unit's subtree.

For the organising committee's final validity review ("rà soát tính hợp
lệ … khi kết thúc Chương trình", Bắc Giang, 2023) and for officers over
their subtree.  Built from the index alone, in one pass:

1. read the band rows of the initiatives in scope, ordered by key (the
   primary key's order); every key shared by 2 to ``MAX_POSTING``
   initiatives makes candidate pairs;
2. estimate each pair from the stored sketches and score those that may
   reach the threshold exactly, from their text;
3. join pairs scoring ≥ ``LIKELY_DUPLICATE`` (union-find): a cluster is a
   connected group; largest first, then oldest first.

The oldest initiative of a cluster comes first: usually the original.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from sangkien.core.spreadsheet import csv_writer, safe_cell
from sangkien.duplicates.detector import LIKELY_DUPLICATE, MAX_POSTING, Document
from sangkien.duplicates.models import BandKey, Fingerprint
from sangkien.duplicates.signature import estimate, jaccard
from sangkien.initiatives.models import Initiative

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

    from sangkien.programmes.models import Programme
    from sangkien.units.models import Unit

#: Pairs whose sketches agree on less than this are not scored exactly.
ESTIMATE_FLOOR = 0.10


@dataclass
class Member:
    """An initiative in a cluster, with its best score to another member (0..1)."""

    initiative: Initiative
    best_score: float

    @property
    def percent(self) -> int:
        return round(self.best_score * 100)


@dataclass
class Cluster:
    """Near-duplicates of one another, oldest first."""

    members: list[Member] = field(default_factory=list)


def _pairs(programme: Programme, unit: Unit) -> Counter[tuple[int, int]]:
    rows = (BandKey.objects.filter(initiative__programme=programme, initiative__unit__path__startswith=unit.path)
            .order_by("band_key", "initiative_id").values_list("band_key", "initiative_id"))
    pairs: Counter[tuple[int, int]] = Counter()
    current: int | None = None
    group: list[int] = []

    def close(ids: list[int]) -> None:
        if 2 <= len(ids) <= MAX_POSTING:
            pairs.update(combinations(ids, 2))

    for key, initiative_id in rows.iterator(chunk_size=20_000):
        if key != current:
            close(group)
            current, group = key, []
        group.append(initiative_id)
    close(group)
    return pairs


def duplicate_clusters(*, programme: Programme, unit: Unit, threshold: float = LIKELY_DUPLICATE) -> list[Cluster]:
    """Clusters of initiatives of ``programme`` in ``unit``'s subtree scoring ≥ ``threshold``.

    Returns clusters of two or more, largest first (ties: oldest first).
    """
    pairs = _pairs(programme, unit)
    if not pairs:
        return []
    ids = sorted({i for pair in pairs for i in pair})
    sketches = {pk: bytes(s) for pk, s in Fingerprint.objects.filter(pk__in=ids).values_list("pk", "sketch")}
    hopeful = []
    for a, b in pairs:
        if a in sketches and b in sketches and estimate(sketches[a], [sketches[b]])[0] >= ESTIMATE_FLOOR:
            hopeful.append((a, b))
    needed = sorted({i for pair in hopeful for i in pair})
    documents: dict[int, Document] = {}
    for start in range(0, len(needed), 2000):
        chunk = needed[start:start + 2000]
        for pk, title, description in Initiative.objects.filter(pk__in=chunk).values_list(
                "pk", "title", "description"):
            documents[pk] = Document.of(title, description)
    parent: dict[int, int] = {}
    best: dict[int, float] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in hopeful:
        if a not in documents or b not in documents:
            continue
        score = jaccard(documents[a].shingles, documents[b].shingles)
        if score < threshold:
            continue
        best[a] = max(best.get(a, 0.0), score)
        best[b] = max(best.get(b, 0.0), score)
        parent[find(a)] = find(b)
    groups: dict[int, list[int]] = {}
    for pk in best:
        groups.setdefault(find(pk), []).append(pk)
    initiatives = Initiative.objects.select_related("unit", "duplicate_of").in_bulk(list(best))
    clusters = []
    for members in groups.values():
        ordered = sorted((initiatives[pk] for pk in members if pk in initiatives),
                         key=lambda i: (i.submitted_at, i.pk))
        clusters.append(Cluster([Member(i, best[i.pk]) for i in ordered]))
    clusters.sort(key=lambda c: (-len(c.members), c.members[0].initiative.submitted_at, c.members[0].initiative.pk))
    return clusters


def write_csv(out: SupportsWrite[str], clusters: list[Cluster]) -> None:
    """One CSV line per member of each cluster (no personal data) to ``out``."""
    writer = csv_writer(out)
    writer.writerow([_("Nhóm"), _("Số sáng kiến trong nhóm"), _("Mã theo dõi"), _("Tên sáng kiến"),
                     _("Đơn vị"), _("Trạng thái"), _("Ngày gửi"), _("Độ giống cao nhất (%)"),
                     _("Đã đánh dấu trùng với")])
    for number, cluster in enumerate(clusters, start=1):
        for member in cluster.members:
            i = member.initiative
            writer.writerow([safe_cell(cell) for cell in (
                number, len(cluster.members), i.tracking_code, i.title, i.unit.name,
                i.get_status_display(), timezone.localtime(i.submitted_at).strftime("%d/%m/%Y %H:%M"),
                member.percent, i.duplicate_of.tracking_code if i.duplicate_of else "")])
