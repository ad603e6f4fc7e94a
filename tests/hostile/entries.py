"""Every entry point of dgviewer driven on one (damaged) dataset folder, in this process.

Runs inside a worker of run.py: ``run_entry(name, root, scratch)`` returns the
outcome of one entry point, one of

    ok         it finished; a CLI exit status 0 or 1
    error      a documented error: dgviewer.DgviewerError (the library) or ``dgviewer: ...`` (the CLI)
    traceback  any other exception, or a traceback printed on stdout/stderr
    timeout    the per-entry time limit passed (signal.alarm; a FIFO open is interrupted too)
    memory     MemoryError (the worker runs under RLIMIT_AS)

plus ``violations`` of the other rules of issue #12: JSON output that is not
strict (``bad-json``), ``check-crashed`` findings masking an internal error
(``masked``), a CLI exit status other than 0/1/2.
"""
from __future__ import annotations

import io
import json
import os
import re
import sys
import time
import traceback
from contextlib import redirect_stderr, redirect_stdout

ENTRIES = ("library", "info", "validate", "validate-images", "render", "gui")
_TRACEBACK = "Traceback (most recent call last)"
#: render's line for a datapoint that failed with an exception other than a DgviewerError.
_MASKED = re.compile(r"^failed \S+: ([A-Z]\w*(?:Error|Exception)\b.*)$", re.M)
_FRAME = re.compile(r'File "([^"]+)", line (\d+), in (\S+)')


class Timeout(BaseException):
    """Raised by the alarm: BaseException so no ``except Exception`` in dgviewer swallows it."""


def run_entry(name: str, root: str, scratch: str, damaged: str | None = None) -> dict:
    """Drive one entry point on ``root``; ``scratch`` is a folder outside it for the outputs.

    ``damaged``: the damaged file's path relative to ``root``; ``validate`` results say whether a
    finding (or the error) names it (``names_damage``).
    """
    try:
        return _ENTRIES[name](root, scratch, damaged)
    except Timeout:
        return {"outcome": "timeout"}
    except MemoryError:
        return {"outcome": "memory"}
    except Exception as e:  # noqa: BLE001 - what the entry point let escape
        return _traceback(e)


def _traceback(e: BaseException) -> dict:
    frames = traceback.extract_tb(e.__traceback__)
    ours = [f for f in frames if f"{os.sep}dgviewer{os.sep}" in f.filename]
    out = {"outcome": "memory" if isinstance(e, MemoryError) else "traceback", "type": type(e).__name__,
           "detail": _line(str(e))}
    if frames:
        out["frame"] = _where(frames[-1].filename, frames[-1].lineno, frames[-1].name)
    if ours:
        out["site"] = _where(ours[-1].filename, ours[-1].lineno, ours[-1].name)
    return out


def _where(filename: str, line: int | str | None, func: str) -> str:
    parts = filename.split(os.sep)
    if "dgviewer" in parts:
        filename = "/".join(parts[len(parts) - 1 - parts[::-1].index("dgviewer"):])
    else:
        filename = os.path.basename(filename)
    return f"{filename}:{line} {func}"


def _line(text: str) -> str:
    text = text.strip().splitlines()[0] if text.strip() else ""
    return text[:200]


# -- the library --------------------------------------------------------------------------------------
class _Toucher:
    """Calls one thing after another; documented errors are counted, the first other exception kept."""

    def __init__(self):
        self.errors = 0
        self.calls = 0
        self.first: dict | None = None
        self.tracebacks = 0

    def __call__(self, fn, *args):
        from dgviewer import DgviewerError

        self.calls += 1
        try:
            return fn(*args)
        except DgviewerError:
            self.errors += 1
        except (Timeout, MemoryError):
            raise
        except Exception as e:  # noqa: BLE001
            self.tracebacks += 1
            if self.first is None:
                self.first = _traceback(e)
        return None


def _library(root: str, scratch: str, damaged: str | None) -> dict:
    import dgviewer
    from dgviewer.core.model import MODALITIES

    try:
        ds = dgviewer.load(root)
    except dgviewer.DgviewerError as e:
        return {"outcome": "error", "detail": _line(str(e))}
    touch = _Toucher()
    datapoints = touch(list, ds) or []
    for dp in datapoints:
        for name in sorted(touch(dir, dp) or ()):
            if not name.startswith("_"):
                touch(getattr, dp, name)  # every property, the Datagen SDK's included
        touch(dp.annotations)
        touch(dp.metadata)
        for modality in MODALITIES:
            touch(dp.read, modality)
            touch(dp.file, modality)
        touch(ds.get, dp.id)
    touch(lambda: ds.problems)
    touch(lambda: [(s.name, [(c.name, len(c)) for c in s.cameras]) for s in ds.scenes])
    result = dict(touch.first) if touch.first else {"outcome": "error" if touch.errors else "ok"}
    result.update(datapoints=len(datapoints), calls=touch.calls, errors=touch.errors, tracebacks=touch.tracebacks)
    return result


# -- the command line ---------------------------------------------------------------------------------
def _cli(argv: list[str]) -> tuple[dict, str, str]:
    """Run ``dgviewer.cli.main(argv)`` here; the outcome and what it printed on stdout and stderr."""
    from dgviewer.cli import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            rc = main(argv)
        except SystemExit as e:
            rc = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    printed = out.getvalue() + err.getvalue()
    if _TRACEBACK in printed:
        frames = _FRAME.findall(printed[printed.index(_TRACEBACK):])
        last = printed.strip().splitlines()[-1]
        result = {"outcome": "traceback", "type": last.split(":")[0][:60], "detail": _line(last), "printed": True}
        ours = [f for f in frames if "dgviewer" in f[0]]
        if frames:
            result["frame"] = _where(*frames[-1])
        if ours:
            result["site"] = _where(*ours[-1])
        return result, out.getvalue(), err.getvalue()
    documented = any(line.startswith("dgviewer: ") for line in err.getvalue().splitlines())
    result = {"outcome": "error" if documented else "ok", "rc": rc}
    if documented:
        result["detail"] = _line(err.getvalue().split("dgviewer: ", 1)[1])
    if rc not in (0, 1, 2):
        result["violations"] = [f"exit status {rc}"]
    return result, out.getvalue(), err.getvalue()


def strict_json(text: str):
    """Parse RFC 8259 JSON: NaN, Infinity and -Infinity are refused."""
    def refuse(literal):
        raise ValueError(f"{literal} is not JSON")
    return json.loads(text, parse_constant=refuse)


def _json_violations(text: str | None, what: str) -> list[str]:
    if text is None:
        return []
    if not text.strip():
        return [f"bad-json: {what} is empty"]
    try:
        strict_json(text)
    except ValueError as e:
        return [f"bad-json: {what}: {_line(str(e))}"]
    return []


def _info(root: str, scratch: str, damaged: str | None) -> dict:
    result, printed, _ = _cli(["info", "--json", root])
    if result["outcome"] == "ok":
        result.setdefault("violations", []).extend(_json_violations(printed, "info --json"))
    return result


def _validate(root: str, scratch: str, damaged: str | None, images: bool = False) -> dict:
    report = os.path.join(scratch, "report.json")
    if os.path.exists(report):
        os.remove(report)
    result, _, _ = _cli(["validate", "--workers", "1", "-q", "--json", report, root] + (["--images"] if images else []))
    if result["outcome"] == "traceback":
        return result
    violations = result.setdefault("violations", [])
    text = None
    if os.path.exists(report):
        with open(report, encoding="utf-8") as f:
            text = f.read()
    elif result["outcome"] == "ok":
        violations.append("bad-json: no report written")
    violations.extend(_json_violations(text, "validate --json"))
    findings = strict_json(text).get("findings", []) if text and not violations else []
    result["findings"] = len(findings)
    violations.extend(f"masked: {_line(f.get('message', ''))}" for f in findings if f.get("check") == "check-crashed")
    if damaged:
        said = [result.get("detail", "")] + [f"{f.get('file') or ''} {f.get('message') or ''}" for f in findings]
        result["names_damage"] = any(damaged in text for text in said)
    return result


def _render(root: str, scratch: str, damaged: str | None) -> dict:
    result, _, err = _cli(["render", "--out", os.path.join(scratch, "render"), root])
    if result["outcome"] != "traceback":  # render names an internal error by its type: not damage named
        masked = [f"masked: {_line(m)}" for m in _MASKED.findall(err)]
        result.setdefault("violations", []).extend(masked)
    return result


# -- the viewer -----------------------------------------------------------------------------------------
def _gui(root: str, scratch: str, damaged: str | None) -> dict:
    """The viewer's headless session: open ``root``, then show every datapoint in each of its modalities.

    A traceback (a slot's exception, or one printed on stderr) or a worker's "Internal error" status is a
    traceback; an open that fails is the documented error; a step that never shows is the alarm's timeout.
    """
    from PySide6.QtCore import QCoreApplication

    from dgviewer.app.session import Session

    app = QCoreApplication.instance() or QCoreApplication([])
    session = Session(64 << 20, threads=2)
    failed: list[str] = []
    internal: list[str] = []
    raised: list[BaseException] = []
    session.open_failed.connect(failed.append)
    session.status.connect(lambda text, ms: internal.append(text) if text.startswith("Internal error") else None)
    previous, sys.excepthook = sys.excepthook, lambda t, e, tb: raised.append(e.with_traceback(tb))
    err = io.StringIO()
    shown = 0
    try:
        with redirect_stderr(err):
            session.open([root])
            _spin(app, lambda: (session.dataset is not None and not session.is_listing) or failed or raised)
            for dp in list(session.order) if not failed else []:
                session.show_datapoint(dp)
                for m in dp.modalities:
                    session.set_modality(m)
                    _spin(app, lambda: raised or (session.cur.dp is dp and session.cur.announced == session.modality))
                    shown += 1
    finally:
        sys.excepthook = previous
        session.shutdown()
    if any(isinstance(e, Timeout) for e in raised):  # the alarm went off inside a slot
        return {"outcome": "timeout"}
    if raised:
        return _traceback(raised[0])
    if _TRACEBACK in err.getvalue() or internal:
        return {"outcome": "traceback", "type": "printed", "detail": _line(internal[0] if internal else
                                                                           err.getvalue().split(_TRACEBACK)[-1])}
    if failed:
        return {"outcome": "error", "detail": _line(failed[0])}
    return {"outcome": "ok", "shown": shown}


def _spin(app, done) -> None:
    """Run the event loop until ``done()`` (the worker's alarm ends a wait that never does)."""
    while not done():
        app.processEvents()
        time.sleep(0.002)


_ENTRIES = {
    "library": _library,
    "info": _info,
    "validate": _validate,
    "validate-images": lambda root, scratch, damaged: _validate(root, scratch, damaged, images=True),
    "render": _render,
    "gui": _gui,
}
