"""The hostile-input results as tables: per entry point, per mutation class, the distinct failure sites."""
from __future__ import annotations

from collections import Counter, defaultdict

OUTCOMES = ("ok", "error", "traceback", "timeout", "memory", "crash")
FAILURES = ("traceback", "timeout", "memory", "crash")


def failed(r: dict) -> bool:
    """A result that breaks a rule of issue #12: a failing outcome or any violation."""
    return r["outcome"] in FAILURES or bool(r.get("violations"))


def table(results: list[dict], top: int = 25) -> str:
    lines = []
    mutants = {r["mutant"] for r in results}
    lines.append(f"{len(mutants)} mutants, {len(results)} runs, {sum(map(failed, results))} breaking a rule")
    lines.append("")
    lines += _grid("entry point", results, lambda r: r["entry"])
    lines.append("")
    lines += _grid("class", results, lambda r: r.get("class", "?"))
    lines.append("")
    lines.append("mutants with any failing run, by class:")
    bad = defaultdict(set)
    for r in results:
        if failed(r):
            bad[r.get("class", "?")].add(r["mutant"])
    per_class = Counter(r.get("class", "?") for r in {r["mutant"]: r for r in results}.values())
    for cls in sorted(per_class):
        lines.append(f"  {cls:14} {len(bad[cls]):4} of {per_class[cls]}")
    lines.append("")
    lines.append(f"top distinct failure sites (of {len({_site(r) for r in results if failed(r)})}):")
    sites = Counter(_site(r) for r in results if failed(r))
    for site, n in sites.most_common(top):
        lines.append(f"  {n:4}  {site}")
    return "\n".join(lines)


def _grid(label: str, results: list[dict], key) -> list[str]:
    cols = OUTCOMES + ("violations",)
    rows = defaultdict(Counter)
    for r in results:
        rows[key(r)][r["outcome"]] += 1
        rows[key(r)]["violations"] += bool(r.get("violations"))
        rows[key(r)]["runs"] += 1
    out = [f"{label:16} {'runs':>5} " + " ".join(f"{c:>10}" for c in cols)]
    for name in sorted(rows):
        out.append(f"{name:16} {rows[name]['runs']:5} " + " ".join(f"{rows[name][c]:10}" for c in cols))
    return out


def _site(r: dict) -> str:
    """Where a failure comes from, for grouping: the dgviewer frame and exception type, or the violation."""
    if r["outcome"] in FAILURES:
        where = r.get("site") or r.get("frame") or r.get("detail", "")
        return f"{r['outcome']}: {r.get('type', '')} at {where}".replace(" at ", " at ", 1)
    v = r["violations"][0]
    return f"{r['entry']}: {v.split(':')[0]}" if v.startswith(("wrote", "escape")) else f"{r['entry']}: {v[:90]}"
