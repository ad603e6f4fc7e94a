"""QA results as JSON (machine-readable, loadable again), CSV (one row per finding) and one self-contained HTML page.

The HTML page has no external resources: styles, a small filter script and
the thumbnails (base64 PNG) are inline, so it can be mailed or attached to a
CI run. Each finding row gives the ``dgviewer PATH... --goto ID`` command that
opens the viewer on it. Thumbnails show the pixels the viewer shows
(:mod:`dgviewer.core.display`), shrunk.
"""
from __future__ import annotations

import base64
import csv
import html
import json
import shlex
from typing import IO

import numpy as np

from ..core import display, jsonio
from ..core.checks import Settings
from ..core.errors import DataError
from ..core.findings import Finding
from .catalog import CHECKS
from .runner import QAResult

#: Thumbnails drawn into one HTML page (each costs a decode; the page stays a few MB at most).
MAX_THUMBNAILS = 200
THUMBNAIL_PX = 160
FORMAT = "dgviewer-qa"


def goto_command(roots: list[str], datapoint: str) -> str:
    return " ".join(["dgviewer", *map(shlex.quote, roots), "--goto", shlex.quote(datapoint)])


# -- JSON -----------------------------------------------------------------------
def as_dict(result: QAResult) -> dict:
    return {
        "format": FORMAT, "version": 1,
        "roots": result.roots, "datapoints": result.datapoints, "images": result.images,
        "seconds": round(result.seconds, 3), "complete": result.complete,
        "settings": vars(result.settings),
        "counts": result.counts(),
        "checks": {c.name: {"severity": c.severity, "images": c.images, "description": c.description}
                   for c in CHECKS.values()},
        "findings": [f.as_dict() for f in result.findings],
    }


def write_json(result: QAResult, out: IO[str]) -> None:
    out.write(jsonio.dumps(as_dict(result), indent=1, ensure_ascii=False))
    out.write("\n")


def read_json(path: str) -> QAResult:
    """A report written by :func:`write_json` (e.g. for ``finding=`` filters without re-running the checks)."""
    try:
        with open(path, encoding="utf-8") as f:
            d = json.load(f)
    except (OSError, ValueError) as e:
        raise DataError(path, f"cannot read QA report: {e}") from None
    if not isinstance(d, dict) or d.get("format") != FORMAT:
        raise DataError(path, "not a dgviewer QA report (written by dgviewer validate --json)")
    return QAResult(d["roots"], d["datapoints"], d["images"], [Finding.from_dict(f) for f in d["findings"]],
                    d["seconds"], d["complete"], Settings(**d.get("settings", {})))


# -- CSV ------------------------------------------------------------------------
CSV_COLUMNS = ("severity", "check", "datapoint", "message", "file", "layer", "modality", "column", "row")


def write_csv(result: QAResult, out: IO[str]) -> None:
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for f in result.findings:
        col, row = f.xy if f.xy is not None else ("", "")
        w.writerow([f.severity, f.check, f.datapoint or "", f.message, f.file or "", f.layer or "",
                    f.modality or "", col, row])


# -- HTML -----------------------------------------------------------------------
_STYLE = """
body{font:14px system-ui,sans-serif;margin:24px;color:#222}
h1{font-size:20px}table{border-collapse:collapse;margin:12px 0}
td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f4}tr.zero td{color:#aaa}.error{color:#b00020;font-weight:600}.info{color:#2060a0}
code{font-size:12px;background:#f6f6f6;padding:1px 4px;user-select:all}img{border:1px solid #ccc}
a.check{cursor:pointer;text-decoration:underline dotted}.msg{max-width:60ch}
"""
_SCRIPT = """
function only(check){document.querySelectorAll('#findings tbody tr').forEach(function(r){
r.style.display=(!check||r.dataset.check===check)?'':'none'});}
"""


def write_html(result: QAResult, out: IO[str], ds=None, stats_href: str | None = None) -> None:
    """The report page; with the dataset ``ds``, image findings get a thumbnail with the spot marked;
    ``stats_href`` links the page of the facts' distributions."""
    e = html.escape
    thumbs = _Thumbnails(ds)
    checks = "".join(_check_row(name, n) for name, n in result.counts().items())
    rows = []
    for f in result.findings:
        goto = f"<br><code>{e(goto_command(result.roots, f.datapoint))}</code>" if f.datapoint else ""
        where = f"<br><small>{e(f.file)}</small>" if f.file else ""
        png = thumbs.get(f)
        img = f'<img alt="{e(f.modality or "")}" src="data:image/png;base64,{png}">' if png else ""
        rows.append(f"<tr data-check='{e(f.check)}'><td class='{e(f.severity)}'>{e(f.severity)}</td>"
                    f"<td>{e(f.check)}</td><td>{e(f.datapoint or '(dataset)')}{goto}</td>"
                    f"<td class='msg'>{e(f.message)}{where}</td><td>{img}</td></tr>")
    title = e(f"dgviewer QA: {', '.join(result.roots)}")
    out.write(
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>"
        f"<style>{_STYLE}</style><script>{_SCRIPT}</script></head><body><h1>{title}</h1>"
        f"<p>{e(result.summary())}. <code>dgviewer validate</code> exits {1 if result.errors else 0}.</p>"
        + (f"<p><a href='{e(stats_href)}'>Distributions of the facts</a></p>" if stats_href else "") +
        "<h2>Checks</h2><table><tr><th>check</th><th>severity</th><th>findings</th><th>what it finds</th></tr>"
        f"{checks}</table><p><a class='check' onclick='only(null)'>show all findings</a></p>"
        "<h2>Findings</h2><table id='findings'><thead><tr><th>severity</th><th>check</th>"
        "<th>datapoint / command that opens it</th><th>message</th><th>image</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></body></html>\n")


def _check_row(name: str, n: int) -> str:
    e = html.escape
    c = CHECKS.get(name)
    severity = c.severity if c else "error"
    what = (c.description + (" (with --images)" if c.images else "")) if c else ""
    return (f"<tr class='{'' if n else 'zero'}'><td><a class='check' onclick=\"only('{e(name)}')\">{e(name)}</a></td>"
            f"<td class='{severity}'>{severity}</td><td>{n}</td><td>{e(what)}</td></tr>")


class _Thumbnails:
    """Small PNGs of the image a finding is about, one decode per (datapoint, modality)."""

    def __init__(self, ds):
        self.ds = ds
        self.made = 0
        self._base: dict[tuple, np.ndarray | None] = {}

    def get(self, f: Finding) -> str | None:
        if self.ds is None or f.datapoint is None or f.modality is None or self.made >= MAX_THUMBNAILS:
            return None
        dp = self.ds.get(f.datapoint)
        if dp is None:
            return None
        key = (dp.id, f.modality)
        if key not in self._base:
            self._base[key] = _display(dp, f.modality)
        base = self._base[key]
        if base is None:
            return None
        import cv2

        img, scale = base
        img = img.copy()
        if f.xy is not None:
            h, w = img.shape[:2]
            x = int(np.clip(f.xy[0] * scale, 0, w - 1))
            y = int(np.clip(f.xy[1] * scale, 0, h - 1))
            cv2.circle(img, (x, y), 6, (255, 0, 0), 2)
            cv2.drawMarker(img, (x, y), (255, 255, 0), cv2.MARKER_CROSS, 5, 1)
        ok, png = cv2.imencode(".png", img[..., ::-1])
        self.made += 1
        return base64.b64encode(png.tobytes()).decode("ascii") if ok else None


def _display(dp, modality: str) -> tuple[np.ndarray, float] | None:
    """(the viewer's picture of the image at most THUMBNAIL_PX wide/high, scale from full-size pixels), or None."""
    order = [modality] + [m for m in ("visible", "infrared", "segmentation", "depth") if m != modality]
    for m in order:
        if m not in dp.modalities:
            continue
        try:
            img = dp.read(m)
        except DataError:
            continue
        if img is None:
            continue
        return display.thumbnail(viewed(dp, m, img), THUMBNAIL_PX)
    return None


def viewed(dp, modality: str, raw: np.ndarray) -> np.ndarray:
    """8-bit RGB of ``raw`` as the viewer first shows it (its legend's class colours, the default depth look)."""
    legend = None
    if raw.ndim == 3:  # as the viewer: only a colour image is matched against a legend
        try:
            legend = dp.annotations().legend(modality)
        except DataError:
            pass
    return display.to_rgb8(display.prepare_image(modality, raw, legend), legend)
