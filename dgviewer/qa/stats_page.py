"""Fact distributions as JSON and as one static, self-contained HTML page of inline SVG charts.

What ``dgviewer stats`` writes, and the page ``dgviewer validate --html`` writes beside its report
(and links to). No external resources: the page can be mailed or attached to a CI run.
"""
from __future__ import annotations

import html
from typing import IO, Mapping

from ..core import jsonio
from ..core.statistics import Distribution

FORMAT = "dgviewer-stats"
_BAR_H, _LABEL_W, _CHART_W, _HIST_H = 16, 180, 420, 140
_STYLE = ("body{font:14px sans-serif;margin:1.5em;color:#222} h2{font-size:15px;margin:1.4em 0 .3em} "
          ".grid{display:flex;flex-wrap:wrap;gap:1.5em} .chart{min-width:640px} small{color:#777} "
          "svg text{font:11px sans-serif} .bar{fill:#4a90d9} .axis{stroke:#999}")


def as_dict(dists: Mapping[str, Distribution], roots: list[str], datapoints: int, filter_text: str = "") -> dict:
    return {"format": FORMAT, "version": 1, "roots": roots, "filter": filter_text, "datapoints": datapoints,
            "facts": {k: d.as_dict() for k, d in dists.items()}}


def write_json(dists: Mapping[str, Distribution], out: IO[str], roots: list[str], datapoints: int,
               filter_text: str = "") -> None:
    out.write(jsonio.dumps(as_dict(dists, roots, datapoints, filter_text), indent=1, ensure_ascii=False))
    out.write("\n")


def write_html(dists: Mapping[str, Distribution], out: IO[str], roots: list[str], datapoints: int,
               filter_text: str = "", report_href: str | None = None) -> None:
    e = html.escape
    title = e(f"dgviewer stats: {', '.join(roots)}")
    where = f" passing <code>{e(filter_text)}</code>" if filter_text else ""
    back = f" <a href='{e(report_href)}'>QA report</a>" if report_href else ""
    charts = "".join(_chart(d) for d in dists.values())
    out.write(f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title><style>{_STYLE}</style>"
              f"</head><body><h1>{title}</h1><p>{datapoints} datapoints{where}.{back}</p>"
              f"<div class='grid'>{charts}</div></body></html>\n")


def _chart(d: Distribution) -> str:
    e = html.escape
    none = f", {d.missing} without a value" if d.missing else ""
    svg = _bars(d) if d.kind == "counts" else _histogram(d)
    return f"<div class='chart'><h2>{e(d.key)} <small>({d.datapoints - d.missing} datapoints{none})</small></h2>{svg}</div>"


def _bars(d: Distribution) -> str:
    e = html.escape
    rows = list(d.counts.items()) + ([(f"other ({len(d.counts)}+)", d.other)] if d.other else [])
    top = max((n for _, n in rows), default=1) or 1
    parts = []
    for i, (value, n) in enumerate(rows):
        y, w = i * _BAR_H, max(1.0, _CHART_W * n / top)
        label = value if len(value) <= 28 else value[:27] + "…"
        parts.append(f"<text x='{_LABEL_W - 6}' y='{y + 12}' text-anchor='end'>{e(label)}</text>"
                     f"<rect class='bar' x='{_LABEL_W}' y='{y + 2}' width='{w:.1f}' height='{_BAR_H - 4}'>"
                     f"<title>{e(value)}: {n}</title></rect><text x='{_LABEL_W + w + 4:.1f}' y='{y + 12}'>{n}</text>")
    height = len(rows) * _BAR_H + 4
    return f"<svg width='{_LABEL_W + _CHART_W + 50}' height='{height}'>{''.join(parts)}</svg>"


def _histogram(d: Distribution) -> str:
    top = max(d.bins, default=1) or 1
    width = _CHART_W / max(1, len(d.bins))
    parts = []
    for i, n in enumerate(d.bins):
        h = _HIST_H * n / top
        lo, hi = d.edges[i], d.edges[i + 1]
        parts.append(f"<rect class='bar' x='{40 + i * width:.1f}' y='{_HIST_H - h + 4:.1f}' width='{width - 1:.1f}' "
                     f"height='{h:.1f}'><title>{lo:.4g} to {hi:.4g}: {n}</title></rect>")
    axis = (f"<line class='axis' x1='40' x2='{40 + _CHART_W}' y1='{_HIST_H + 4}' y2='{_HIST_H + 4}'/>"
            f"<text x='40' y='{_HIST_H + 18}'>{d.edges[0]:.4g}</text>"
            f"<text x='{40 + _CHART_W}' y='{_HIST_H + 18}' text-anchor='end'>{d.edges[-1]:.4g}</text>"
            f"<text x='36' y='14' text-anchor='end'>{top}</text>")
    return f"<svg width='{_CHART_W + 60}' height='{_HIST_H + 24}'>{''.join(parts)}{axis}</svg>"
