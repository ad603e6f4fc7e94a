"""What ``dgviewer info`` reports about a dataset, from the index alone (no image decoding)."""
from __future__ import annotations

from collections import Counter

from .model import Dataset


def summarize(ds: Dataset) -> dict:
    """Counts, modalities and annotation sets (name → datapoints having it) and indexing problems."""
    modalities: Counter = Counter()
    annotations: Counter = Counter()
    for dp in ds:
        modalities.update(dp.modalities)
        annotations.update(dp.meta.get("annotations", ()))
    return {
        "format": ds.formats[0] if len(set(ds.formats)) == 1 else "mixed",
        "formats": ds.formats,
        "roots": ds.roots,
        "scenes": len(ds.scenes),
        "cameras": len(ds.cameras),
        "datapoints": len(ds),
        "modalities": dict(modalities),
        "annotations": dict(annotations),
        "problems": [p.as_dict() for p in ds.problems],
    }


def format_text(info: dict) -> str:
    lines = [
        f"{', '.join(info['roots'])}",
        f"  format      {info['format']}" + (f" ({', '.join(info['formats'])})" if info["format"] == "mixed" else ""),
        f"  scenes      {info['scenes']}",
        f"  cameras     {info['cameras']}",
        f"  datapoints  {info['datapoints']}",
        "  modalities  " + (", ".join(f"{k} {v}" for k, v in info["modalities"].items()) or "none"),
        "  annotations " + (", ".join(f"{k} {v}" for k, v in info["annotations"].items()) or "none"),
        f"  problems    {len(info['problems'])}",
    ]
    for p in info["problems"][:50]:
        lines.append(f"    {p['datapoint'] or '-'}: {p['file'] or ''}: {p['message']}")
    if len(info["problems"]) > 50:
        lines.append(f"    ... and {len(info['problems']) - 50} more (use --json for all)")
    return "\n".join(lines)
