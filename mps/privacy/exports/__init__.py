"""Exports of the privacy records, plain Python without Django: the Article 30 record as
ODS, XLSX, CSV, PDF and JSON, and SCC Annex I–III drafts filled from a chain. Callers
build the input dataclasses (record.py, scc.py) from their models."""

from __future__ import annotations

from collections.abc import Callable

from mps.privacy.exports import csvfile, jsonfile, ods, pdf, xlsx
from mps.privacy.exports.record import Activity, Article30Record, Party, Transfer

#: format -> (writer, media type, file extension)
FORMATS: dict[str, tuple[Callable[[Article30Record], bytes], str, str]] = {
    "ods": (ods.to_ods, ods.MEDIA_TYPE, "ods"),
    "xlsx": (xlsx.to_xlsx, xlsx.MEDIA_TYPE, "xlsx"),
    "csv": (csvfile.to_csv, csvfile.MEDIA_TYPE, "csv"),
    "pdf": (pdf.to_pdf, pdf.MEDIA_TYPE, "pdf"),
    "json": (jsonfile.to_json, jsonfile.MEDIA_TYPE, "json"),
}


def export_record(record: Article30Record, fmt: str) -> tuple[bytes, str, str]:
    """The record in `fmt`: (content, media type, file extension); ValueError if unknown."""
    try:
        writer, media_type, extension = FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}") from None
    return writer(record), media_type, extension


__all__ = ["FORMATS", "Activity", "Article30Record", "Party", "Transfer", "export_record"]
