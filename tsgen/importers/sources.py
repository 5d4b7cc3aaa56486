"""Reading export files as they come: CSV in UTF-8 (with or without BOM) or GB18030/GBK, XLSX, JSON.

Each reader yields SourceRecords: the record's values by source column (or JSON key path) and where
it is in the file, so a rejected record can be named the way its owner finds it — the spreadsheet
row (the header is row 1) and, for CSV, the line of the file where the record starts.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

from tsgen.errors import TsgenError


class ImportError_(TsgenError):
    """An export file cannot be read at all (wrong encoding, not a spreadsheet, malformed JSON)."""


@dataclass
class SourceRecord:
    """One ticket of the export, before mapping: column (or key path) -> value, and where it is."""

    values: dict[str, Any]
    where: str                      # "row 40 (line 48)", "tickets[3] (id 123)"
    line: int | None = None         # the file line where a CSV record starts
    extra: dict[str, Any] = field(default_factory=dict)  # format-specific context (side-loaded users ...)


def decode(data: bytes, path: Path, encoding: str | None) -> tuple[str, str]:
    """Bytes -> (text, encoding used). UTF-8 with or without BOM, else GB18030 (a superset of GBK)."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise ImportError_(f"{path}: cannot be read as {encoding}: {exc}") from None
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:  # what Excel on a Chinese Windows saves ("CSV (逗号分隔)"): GBK, read as its superset GB18030
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        line = data[:utf8_error.start].count(b"\n") + 1
        raise ImportError_(f"{path}:{line}: neither UTF-8 nor GB18030/GBK text (byte "
                           f"0x{data[utf8_error.start]:02x}); give the file's encoding with --encoding") from None


def _sniff_delimiter(header_line: str) -> str:
    """The header's separator: osTicket writes ';' where the locale's decimal mark is a comma."""
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _is_header(row: Any) -> bool:
    """A header has two or more filled cells; a title line above it (Zammad's "2023-10") has one."""
    return sum(1 for c in row if c not in (None, "") and str(c).strip()) >= 2


def _cell(value: str) -> str:
    return value.strip()


def _records(header: list[Any], rows: Iterator[tuple[int, int | None, list[Any]]]) -> Iterator[SourceRecord]:
    """Rows -> records; a repeated header (Jira's Labels, Labels, ...) collects its cells into a list."""
    names = [str(h).strip() if h is not None else "" for h in header]
    if names and names[0].startswith("\ufeff"):
        names[0] = names[0][1:]
    repeated = {n for n in names if n and names.count(n) > 1}
    for row_no, line, cells in rows:
        if not any(c not in (None, "") and str(c).strip() for c in cells):
            continue  # an empty row (Excel leaves them at the end)
        values: dict[str, Any] = {}
        for name, cell in zip(names, cells):
            if not name:
                continue
            if isinstance(cell, str):
                cell = _cell(cell)
            if name in repeated:
                if cell not in (None, ""):
                    values.setdefault(name, []).append(cell)
            else:
                values[name] = cell
        where = f"row {row_no}" + (f" (line {line})" if line is not None and line != row_no else "")
        yield SourceRecord(values, where, line)


def read_csv(path: Path, encoding: str | None = None) -> Iterator[SourceRecord]:
    """A CSV export: cells with commas, quotes and line breaks (RFC 4180), any of , ; tab."""
    text, _ = decode(path.read_bytes(), path, encoding)
    if text.startswith("\ufeff"):
        text = text[1:]
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(first))
    header_row = 0
    try:
        while True:
            header = next(reader)
            header_row += 1
            if _is_header(header):
                break
    except StopIteration:
        return
    except csv.Error as exc:
        raise ImportError_(f"{path}:{reader.line_num}: not a readable CSV header: {exc}") from None

    def rows() -> Iterator[tuple[int, int | None, list[Any]]]:
        start = reader.line_num + 1
        row_no = header_row
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise ImportError_(f"{path}:{start}: CSV syntax error: {exc}") from None
            row_no += 1
            yield row_no, start, cells
            start = reader.line_num + 1

    yield from _records(header, rows())


def read_xlsx(path: Path) -> Iterator[SourceRecord]:
    """The first worksheet of an .xlsx workbook (openpyxl, read-only); dates arrive as datetimes."""
    import openpyxl  # imported here: only spreadsheet imports pay for it

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportError_(f"{path}: not a readable .xlsx workbook: {exc}") from None
    try:
        sheet = book.worksheets[0]
        it = sheet.iter_rows(values_only=True)
        header: list[Any] | None = None
        header_row = 0
        for header_row, row in enumerate(it, start=1):
            if _is_header(row):
                header = list(row)
                break
        if header is None:
            return

        def rows() -> Iterator[tuple[int, int | None, list[Any]]]:
            for n, row in enumerate(it, start=header_row + 1):
                yield n, None, list(row)

        yield from _records(header, rows())
    finally:
        book.close()


def read_table(path: Path, encoding: str | None = None) -> Iterator[SourceRecord]:
    """CSV or XLSX by the file's content (an .xlsx is a zip archive)."""
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic.startswith(b"PK"):
        return read_xlsx(path)
    return read_csv(path, encoding)


def read_json(path: Path, encoding: str | None = None) -> Any:
    """A JSON document, or JSON Lines (one page of an API response per line)."""
    text, _ = decode(path.read_bytes(), path, encoding)
    text = text.lstrip("\ufeff")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        pages = []
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                pages.append(json.loads(line))
            except json.JSONDecodeError:
                raise ImportError_(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from None
        return pages


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """{"via": {"channel": "email"}} -> {"via.channel": "email"}; lists of scalars stay lists."""
    out: dict[str, Any] = {}
    if isinstance(value, dict):
        for k, v in value.items():
            key = f"{prefix}.{k}" if prefix else str(k)
            if isinstance(v, dict):
                out.update(flatten(v, key))
            else:
                out[key] = v
    return out


def is_datetime(value: Any) -> bool:
    return isinstance(value, datetime)
