"""Benchmark: hostile spreadsheets are refused within fixed memory and time (issue 9, "How it is checked").

    nice -n 10 .venv/bin/python benchmarks/hostile_files.py [--baseline-rows 60000] [--no-write]

Builds a corpus under /tmp/sangkien-bench-hostile: a normal XLSX and CSV of ``--baseline-rows`` rows
(the baseline) and the hostile files of tests/imports/test_hostile_files.py at full size — a zip bomb
(1 GiB of spaces, ~1 MB zipped), billion laughs and XXE (shared strings and sheet), 100 MB of shared
strings, a lone row at line 5,000,000 (no declared dimension), a declared dimension of 5,000,000 rows, a
cell of 40,000 characters, random bytes named .xlsx, CSVs in UTF-16, Windows-1258 and with NUL bytes,
and a CSV whose one row sits after 5,000,000 blank lines.

Each file is read through the real import reading (:func:`sangkien.imports.reading.open_table` and its
rows, what the import's check stage runs) in its own interpreter (``--read``), so the peak resident
memory (``VmHWM``, reset once Django is loaded) is that file's alone; wall time is measured around the reading.  A hostile file
passes when it is refused (or read without harm) within the baseline's peak memory plus 10 % and within
the baseline's time (at least 5 s).  Prints the table, writes it into the ``## Hostile files (issue 9)``
section of docs/benchmarks.md, and exits 1 when a file exceeds its ceiling.  Bounded: each reading is
killed after 300 s.
"""

from __future__ import annotations

import argparse
import codecs
import datetime as dt
import json
import os
import platform
import random
import re
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the benchmarks package importable
    sys.path.insert(0, str(ROOT))
from benchmarks.docs_section import replace_section  # noqa: E402

WORK = Path("/tmp/sangkien-bench-hostile")
SECTION = "## Hostile files (issue 9)"
TIMEOUT = 300
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

NOTES = ("Reading: every hostile XLSX is refused before its hostile part is parsed (from the zip's directory, "
         "the sheet's first bytes, or by defusedxml), so its peak is openpyxl's import (~19 MiB over idle), not the "
         "file's; a file without a declared size is read row by row and refused at the row limit "
         "(`SANGKIEN_IMPORT_MAX_ROWS` + 10,000 blank rows), in constant memory. A UTF-16 CSV is refused with "
         "\"no header found\" (save as UTF-8 or Windows-1258); NUL bytes inside CSV cells are dropped as the "
         "file is read (they made the upload a 500 on PostgreSQL; found by this benchmark).")
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<sst xmlns="%s" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>""".replace(b"%s", MAIN.encode())
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<sst xmlns="%s" count="1" uniqueCount="1"><si><t>&xxe;</t></si></sst>""".replace(b"%s", MAIN.encode())


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sangkien.settings")
    os.environ.setdefault("SANGKIEN_LOG_LEVEL", "ERROR")
    import django

    django.setup()


# -- building the corpus ----------------------------------------------------------------------

def _headers() -> list[str]:
    from sangkien.imports.columns import COLUMNS

    return [c.key for c in COLUMNS]


def _row(n: int, keys: list[str]) -> list[str]:
    values = {"author_full_name": f"Nguyễn Văn {n}", "author_phone": f"09{n:08d}"[:10], "unit": "375-0002",
              "sector_block": "enterprise", "title": f"Sáng kiến số {n} giảm thời gian may cổ áo",
              "description": "Dùng gá kẹp bằng nhôm giữ cổ áo khi may. " * 3, "benefit_vnd": "1500000"}
    return [values.get(k, "") for k in keys]


def _normal_xlsx(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Sáng kiến")
    keys = _headers()
    sheet.append(keys)
    for n in range(1, rows + 1):
        sheet.append(_row(n, keys))
    book.save(path)


def _normal_csv(path: Path, rows: int, encoding: str = "utf-8") -> None:
    """A CSV of ``rows`` rows in ``encoding`` (Windows-1258 writes Vietnamese decomposed, as Windows does)."""
    import csv
    import io
    import unicodedata

    keys = _headers()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(keys)
    for n in range(1, rows + 1):
        writer.writerow(_row(n, keys))
    text = out.getvalue()
    if encoding == "cp1258":
        text = unicodedata.normalize("NFD", text)
    path.write_bytes(text.encode(encoding, errors="replace"))


def _rewrite(source: Path, target: Path, parts: dict[str, bytes]) -> None:
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            if item.filename not in parts:
                out.writestr(item, src.read(item.filename))
        for name, content in parts.items():
            out.writestr(name, content)


def _sheet_name(path: Path) -> tuple[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        name = next(n for n in archive.namelist() if n.startswith("xl/worksheets/sheet"))
        return name, archive.read(name)


def _with_sst(source: Path, target: Path, sst: bytes) -> None:
    with zipfile.ZipFile(source) as archive:
        types = archive.read("[Content_Types].xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
    types = types.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                          b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    rels = rels.replace(b"</Relationships>", b'<Relationship Type="http://schemas.openxmlformats.org/'
                        b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml" '
                        b'Id="rIdSst"/></Relationships>')
    _rewrite(source, target, {"[Content_Types].xml": types, "xl/_rels/workbook.xml.rels": rels,
                              "xl/sharedStrings.xml": sst})


def _streamed_part(source: Path, target: Path, name: str, head: bytes, filler: bytes, times: int,
                   tail: bytes) -> None:
    """``source`` plus a part ``name`` = head + filler × times + tail, written in chunks (never all in memory)."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            if item.filename != name:
                out.writestr(item, src.read(item.filename))
        with out.open(name, "w", force_zip64=True) as part:
            part.write(head)
            for _ in range(times):
                part.write(filler)
            part.write(tail)


def build_corpus(baseline_rows: int) -> list[tuple[str, Path, str]]:
    """Write the corpus; return (label, path, format) for each file, the baselines first."""
    WORK.mkdir(parents=True, exist_ok=True)
    files: list[tuple[str, Path, str]] = [("idle: Django loaded, nothing read", WORK, "idle")]

    def add(label: str, name: str, fmt: str = "xlsx") -> Path:
        path = WORK / name
        files.append((label, path, fmt))
        return path

    normal = add(f"baseline: normal XLSX, {baseline_rows:,} rows", "normal.xlsx")
    _normal_xlsx(normal, baseline_rows)
    _normal_csv(add(f"baseline: normal CSV, {baseline_rows:,} rows", "normal.csv", "csv"), baseline_rows)
    small = WORK / "small.xlsx"
    _normal_xlsx(small, 5)
    sheet, xml = _sheet_name(small)
    xml = re.sub(rb"<dimension [^>]*/>", b"", xml)
    mib = b" " * (1 << 20)
    _streamed_part(small, add("zip bomb: 1 GiB part of spaces", "zip-bomb.xlsx"), "xl/media/padding.xml",
                   b"", mib, 1024, b"")
    _with_sst(small, add("billion laughs (shared strings)", "billion-laughs.xlsx"), BILLION_LAUGHS)
    _with_sst(small, add("XXE file:///etc/passwd (shared strings)", "xxe.xlsx"), XXE)
    in_sheet = BILLION_LAUGHS.replace(b"sst", b"worksheet").replace(
        b"<si><t>", b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>').replace(
        b"</t></si>", b"</t></is></c></row></sheetData>")
    _rewrite(small, add("billion laughs (sheet)", "billion-laughs-sheet.xlsx"), {sheet: in_sheet})
    _streamed_part(small, add("huge shared strings: 100 MiB string", "huge-sst.xlsx"), "xl/sharedStrings.xml",
                   f'<?xml version="1.0"?><sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>'.encode(),
                   b"A" * (1 << 20), 100, b"</t></si></sst>")
    far = b'<row r="5000000"><c r="B5000000" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    _rewrite(small, add("sparse: one row at line 5,000,000", "sparse-row.xlsx"),
             {sheet: xml.replace(b"</sheetData>", far)})
    declared = re.sub(rb"<sheetData", b'<dimension ref="A1:Z5000000"/><sheetData', xml, count=1)
    _rewrite(small, add("declared dimension A1:Z5000000", "dimension.xlsx"), {sheet: declared})
    long_cell = b'<row r="40"><c r="B40" t="inlineStr"><is><t>' + b"B" * 40_000 + b"</t></is></c></row></sheetData>"
    _rewrite(small, add("cell of 40,000 characters", "long-cell.xlsx"), {sheet: xml.replace(b"</sheetData>", long_cell)})
    add("random bytes named .xlsx (10 MB)", "random.xlsx").write_bytes(random.Random(9).randbytes(10 << 20))
    _normal_csv(add("CSV in UTF-16 (with BOM), 1,000 rows", "utf16.csv", "csv"), 1000, "utf-16")
    _normal_csv(add("CSV in Windows-1258, 1,000 rows", "cp1258.csv", "csv"), 1000, "cp1258")
    header_line, _newline, body = (WORK / "utf16.csv").read_text("utf-16").partition("\n")
    add("CSV with NUL bytes in every data row", "nul.csv", "csv").write_text(
        header_line + "\n" + body.replace(",", ",\x00"), "utf-8")
    header = ",".join(_headers()) + "\n"
    with add("sparse CSV: one row after 5,000,000 blank lines", "sparse.csv", "csv").open("w") as fh:
        fh.write(header)
        for _ in range(50):
            fh.write("\n" * 100_000)
        fh.write(",".join(_row(1, _headers())) + "\n")
    bad = codecs.BOM_UTF8 + b"\xff\xfe\xfd" * 100_000
    add("CSV of invalid UTF-8 after a UTF-8 BOM", "bad-utf8.csv", "csv").write_bytes(bad + b"\n" + header.encode())
    return files


# -- reading one file, in a child interpreter -----------------------------------------------------

def read_one(path: str, fmt: str) -> dict:
    """Read ``path`` as the import does; return outcome, rows read, seconds and peak RSS (KiB)."""
    _django()
    from sangkien.imports.reading import FileRefused, open_table

    loaded_kib = _reset_peak()
    if fmt == "idle":  # the interpreter with Django and the reading loaded, nothing read
        return {"outcome": "nothing read", "rows": 0, "seconds": 0.0, "peak_kib": _peak_kib(),
                "loaded_kib": loaded_kib}
    started = time.monotonic()
    rows = 0
    try:
        table = open_table(path, fmt)
        try:
            for _row in table.rows():
                rows += 1
        finally:
            table.close()
        outcome = "read"
    except FileRefused as exc:
        outcome = "refused: " + str(exc.message)
    seconds = time.monotonic() - started
    return {"outcome": outcome, "rows": rows, "seconds": seconds, "peak_kib": _peak_kib(), "loaded_kib": loaded_kib}


def _status_kib(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> int:
    """Reset the process's peak RSS (Linux: ``5`` into /proc/self/clear_refs) so that the peak measured
    afterwards is the reading's, not Django's start-up; return the resident size now (KiB)."""
    import contextlib
    import gc

    gc.collect()
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
    return _status_kib("VmRSS") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _peak_kib() -> int:
    """Peak resident size (KiB) since :func:`_reset_peak` (VmHWM), else since the start (ru_maxrss)."""
    return _status_kib("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure(path: Path, fmt: str) -> dict:
    """Run :func:`read_one` in a child interpreter (killed after TIMEOUT seconds)."""
    started = time.monotonic()
    try:
        done = subprocess.run([sys.executable, __file__, "--read", str(path), fmt], capture_output=True,
                              text=True, timeout=TIMEOUT, cwd=ROOT, check=False)
    except subprocess.TimeoutExpired:
        return {"outcome": f"KILLED after {TIMEOUT} s", "rows": 0, "seconds": TIMEOUT, "peak_kib": 0,
                "wall": time.monotonic() - started}
    if done.returncode != 0:
        return {"outcome": "CRASHED: " + (done.stderr.strip().splitlines() or ["?"])[-1][:120], "rows": 0,
                "seconds": time.monotonic() - started, "peak_kib": 0, "wall": time.monotonic() - started}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall"] = time.monotonic() - started
    return result


def _machine() -> str:
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else "MemTotal: 0 kB"
    memory = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1)) / (1 << 20)  # type: ignore[union-attr]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{platform.node() or 'machine'}: {platform.processor() or platform.machine()}, "
            f"{os.cpu_count()} CPUs, {memory:.1f} GiB RAM, Python {platform.python_version()}, "
            f"load average {load} (1/5/15 min) at the start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline-rows", type=int, default=60_000)
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument("--read", nargs=2, metavar=("PATH", "FORMAT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.read:
        print(json.dumps(read_one(*args.read)))
        return 0
    _django()
    machine = _machine()
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")  # a report date, not app logic
    built = time.monotonic()
    files = build_corpus(args.baseline_rows)
    print(f"corpus of {len(files)} files built in {time.monotonic() - built:.0f} s under {WORK}")
    results = [(label, path, fmt, measure(path, fmt)) for label, path, fmt in files]
    base = [r for label, _p, _f, r in results if label.startswith("baseline")]
    idle_kib = next(r["peak_kib"] for label, _p, _f, r in results if label.startswith("idle"))
    ceiling_kib = max(r["peak_kib"] for r in base) * 1.10
    ceiling_s = max(5.0, max(r["seconds"] for r in base))
    lines = [SECTION, "",
             f"`benchmarks/hostile_files.py`, {when}; {machine}. Each file is read through the import's "
             "reading (`open_table` and its rows) in its own interpreter: the peak resident memory while reading "
             "(Linux `VmHWM`, reset through `/proc/self/clear_refs` once Django is loaded; the idle row is the "
             "interpreter with nothing read) and the reading's time. Ceiling: the baseline's peak "
             f"memory + 10 % ({ceiling_kib / 1024:.0f} MiB) and the baseline's time (at least 5 s: "
             f"{ceiling_s:.1f} s). Limits in force: SANGKIEN_IMPORT_MAX_ROWS and the "
             "SANGKIEN_IMPORT_MAX_UNCOMPRESSED_MB / _MAX_SHARED_STRINGS_MB defaults (docs/configuration.md).",
             "", "| file | size | outcome | rows read | time (s) | peak RSS (MiB) | over idle (MiB) | within ceiling |",
             "|---|---:|---|---:|---:|---:|---:|---|"]
    failed = False
    for label, path, _fmt, r in results:
        reference = label.startswith(("baseline", "idle"))
        ok = reference or (
            0 < r["peak_kib"] <= ceiling_kib and r["seconds"] <= ceiling_s and not r["outcome"].startswith(("KILLED",
                                                                                                          "CRASHED")))
        failed |= not ok
        size = path.stat().st_size if path.is_file() else 0
        shown = f"{size / (1 << 20):,.1f} MB" if size >= 100_000 else f"{size / 1000:,.1f} kB" if size else "—"
        outcome = r["outcome"].replace("|", "/")
        lines.append(f"| {label} | {shown} | {outcome[:110]} | {r['rows']:,} | {r['seconds']:.2f} | "
                     f"{r['peak_kib'] / 1024:.1f} | {(r['peak_kib'] - idle_kib) / 1024:+.1f} | "
                     f"{'—' if reference else ('yes' if ok else 'NO')} |")
    lines += ["", NOTES, ""]
    table = "\n".join(lines)
    print(table)
    if not args.no_write:
        replace_section(ROOT / "docs" / "benchmarks.md", SECTION, table)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
