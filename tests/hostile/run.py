"""Drive every dgviewer entry point over damaged datasets, in long-lived workers.

    python -m tests.hostile.run MUTANT...                  existing damaged folders
    python -m tests.hostile.run --generate 500 [--start 0] mutants made (and removed) by the workers
        [--workers 2] [--timeout 10] [--memory-gb 3] [--entries library,info,...] [--out results.jsonl]

One JSON line per (mutant, entry point) with its outcome (see entries.py), the
mutation, the seconds taken, the peak RSS and the rule violations: files
written into the dataset folder (``wrote``; every file hashed and the tree
listed before and after), files opened outside it through paths in its
metadata (``escape``), RSS over 1 GB. Starting Python with Qt for each of
500 mutants would take longer than the runs, so each worker process serves
many mutants; it runs under RLIMIT_AS, and one that hangs past every alarm
or dies is killed or restarted by the parent (outcome ``crash``).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import queue
import select
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time

from tests.hostile.entries import ENTRIES, Timeout, run_entry

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RSS_LIMIT_MB = 1024


# -- worker side --------------------------------------------------------------------------------------
class _Watch:
    """What the audit hook looks for while an entry point runs."""

    root: str | None = None
    outside: str | None = None
    events: list[str] = []


def _audit(event: str, args) -> None:
    if event != "open" or _Watch.root is None or not isinstance(args[0], (str, bytes)):
        return
    path = os.path.abspath(os.fsdecode(args[0]))
    if _Watch.outside and path.startswith(_Watch.outside + os.sep):
        _Watch.events.append(f"escape: opened {os.path.basename(path)} outside the dataset")
    mode, flags = args[1], args[2] if len(args) > 2 else 0
    writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
        isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
    if writing and (path == _Watch.root or path.startswith(_Watch.root + os.sep)):
        _Watch.events.append(f"wrote: opened {os.path.relpath(path, _Watch.root)} for writing")


def tree_state(root: str, hashed: bool = True) -> dict:
    """Every path below ``root``: regular files hashed (or by size and mtime), links by target, others by type.

    Special files are never opened (a FIFO would block).
    """
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            if stat.S_ISREG(st.st_mode) and hashed:
                with open(p, "rb") as f:
                    out[os.path.relpath(p, root)] = hashlib.blake2b(f.read(), digest_size=16).hexdigest()
            elif stat.S_ISREG(st.st_mode):
                out[os.path.relpath(p, root)] = (st.st_size, st.st_mtime_ns, st.st_ino)
            elif stat.S_ISLNK(st.st_mode):
                out[os.path.relpath(p, root)] = "-> " + os.readlink(p)
            else:
                out[os.path.relpath(p, root)] = stat.S_IFMT(st.st_mode)
    return out


def _changes(before: dict, after: dict) -> list[str]:
    keys = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    return [f"wrote: {k} {'added' if k not in before else 'removed' if k not in after else 'changed'}" for k in keys[:5]]


def _alarm(signum, frame):
    signal.setitimer(signal.ITIMER_REAL, 1.0)  # again if cleanup (a pool's shutdown) blocks too
    raise Timeout()


def _unblock_fifos(root: str) -> None:
    """Open every FIFO of ``root`` for writing and close it: a thread stuck opening it for reading sees EOF."""
    for dirpath, dirnames, filenames in os.walk(root):
        for name in filenames + dirnames:
            p = os.path.join(dirpath, name)
            if stat.S_ISFIFO(os.lstat(p).st_mode):
                try:
                    os.close(os.open(p, os.O_WRONLY | os.O_NONBLOCK))
                except OSError:
                    pass


def _peak_rss_reset() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def _peak_rss_mb() -> int | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return None


def _task(task: dict, timeout: float) -> list[dict]:
    from dgviewer.core import jsonio
    from dgviewer.core.cache import shared_cache

    root = os.path.abspath(task["mutant"])
    head = {"mutant": os.path.basename(root)}
    if task.get("source"):
        from tests.hostile.mutate import mutate

        head.update(source=os.path.basename(task["source"]), seed=task["seed"])
        head.update(mutate(task["source"], root, task["seed"]))
    scratch = tempfile.mkdtemp(prefix="hostile-out-")
    results = []
    try:
        hashed, before = tree_state(root), tree_state(root, hashed=False)
        for entry in task["entries"]:
            jsonio.clear()
            shared_cache.clear()
            _Watch.root, _Watch.outside, _Watch.events = root, root + ".outside", []
            _peak_rss_reset()
            started, cpu = time.monotonic(), time.process_time()
            signal.setitimer(signal.ITIMER_REAL, timeout)
            try:
                result = run_entry(entry, root, scratch, head.get("file"))
            except Timeout:  # the alarm hit between the entry's return and here
                result = {"outcome": "timeout"}
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
                _Watch.root = None
            if result["outcome"] == "timeout":
                _unblock_fifos(root)
            # Size, mtime and inode after each entry point; every file's hash once all have run.
            after = tree_state(root, hashed=False)
            violations = result.pop("violations", []) + sorted(set(_Watch.events)) + _changes(before, after)
            rss = _peak_rss_mb()
            if rss is not None and rss > RSS_LIMIT_MB:
                violations.append(f"rss {rss} MB over {RSS_LIMIT_MB} MB")
            before = after
            results.append({**head, "entry": entry, **result, "violations": violations,
                            "seconds": round(time.monotonic() - started, 3),
                            "cpu": round(time.process_time() - cpu, 3), "rss_mb": rss})
        changed = _changes(hashed, tree_state(root))
        if changed and results and not any(v.startswith("wrote") for r in results for v in r["violations"]):
            results[-1]["violations"] += changed  # content changed under an unchanged size and mtime
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if task.get("delete"):
            shutil.rmtree(root, ignore_errors=True)
            shutil.rmtree(root + ".outside", ignore_errors=True)
    return results


def serve(timeout: float, memory_bytes: int) -> int:
    """The worker loop: one task per stdin line, its result lines then ``{"done": true}`` on the protocol pipe."""
    import resource

    proto = os.fdopen(os.dup(1), "w", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # C-level prints (Qt, decoders) must not mix into the protocol
    import dgviewer.cli  # noqa: F401 - imported once, before the limits
    import dgviewer.app.render  # noqa: F401

    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
    sys.addaudithook(_audit)
    signal.signal(signal.SIGALRM, _alarm)
    threads = threading.active_count()
    for line in sys.stdin:
        for result in _task(json.loads(line), timeout):
            proto.write(json.dumps(result) + "\n")
        proto.write('{"done": true}\n')
        if threading.active_count() > threads:
            return 3  # a thread is still stuck in a timed-out entry: the parent starts a fresh worker
    return 0


# -- parent side --------------------------------------------------------------------------------------
class _Worker:
    def __init__(self, timeout: float, memory_bytes: int, log):
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.hostile.run", "--serve", "--timeout", str(timeout),
             "--memory-gb", str(memory_bytes / (1 << 30))],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, cwd=REPO, env=env)
        self.buffer = b""

    def send(self, task: dict) -> None:
        self.proc.stdin.write((json.dumps(task) + "\n").encode())
        self.proc.stdin.flush()

    def lines(self, deadline: float):
        """Result lines until ``done``; stops early (returns) at the deadline or when the worker dies."""
        fd = self.proc.stdout.fileno()
        while True:
            while b"\n" in self.buffer:
                line, self.buffer = self.buffer.split(b"\n", 1)
                msg = json.loads(line)
                if msg.get("done"):
                    return
                yield msg
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError()
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise EOFError()
            self.buffer += chunk

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


def run(tasks: list[dict], workers: int = 2, timeout: float = 10.0, memory_bytes: int = 3 << 30,
        on_result=None, log_path: str | None = None) -> list[dict]:
    """Run every task (``{"mutant": folder, "entries": [...]}``, plus ``source``/``seed``/``delete`` to
    generate it in the worker) and return the result lines."""
    todo: queue.Queue = queue.Queue()
    for t in tasks:
        todo.put(t)
    results: list[dict] = []
    lock = threading.Lock()
    log = open(log_path or os.devnull, "ab")

    def emit(r: dict) -> None:
        with lock:
            results.append(r)
            if on_result:
                on_result(r)

    def slot() -> None:
        worker = None
        while True:
            try:
                task = todo.get_nowait()
            except queue.Empty:
                break
            if worker is None or worker.proc.poll() is not None:
                worker = _Worker(timeout, memory_bytes, log)
            done: set[str] = set()
            head = {"mutant": os.path.basename(task["mutant"]), "seed": task.get("seed"),
                    "source": os.path.basename(task.get("source") or "")}
            try:
                worker.send(task)
                for r in worker.lines(time.monotonic() + 60 + len(task["entries"]) * (timeout + 10)):
                    done.add(r["entry"])
                    head = {k: r[k] for k in ("mutant", "source", "seed", "class", "file", "what") if k in r}
                    emit(r)
                continue
            except (TimeoutError, EOFError, BrokenPipeError) as e:
                why = "timeout" if isinstance(e, TimeoutError) else "crash"
                worker.stop()
                rc = worker.proc.returncode
            for entry in task["entries"]:
                if entry not in done:
                    emit({**head, "entry": entry, "outcome": why, "detail": f"worker exit status {rc}",
                          "violations": []})
            if task.get("delete"):
                shutil.rmtree(task["mutant"], ignore_errors=True)
                shutil.rmtree(task["mutant"] + ".outside", ignore_errors=True)
        if worker is not None:
            worker.proc.stdin.close()
            worker.proc.wait()

    threads = [threading.Thread(target=slot) for _ in range(max(1, workers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    log.close()
    return results


def generated(count: int, folder: str, start: int = 0, entries=ENTRIES, trim: int | None = None) -> list[dict]:
    """Tasks for ``count`` mutants of seeds start.., over every source, made and removed by the workers.

    ``entries``: the entry points for every mutant, or a function of the seed giving them;
    ``trim``: see :func:`mutate.sources`.
    """
    from tests.hostile.mutate import sources

    srcs = sources(os.path.join(folder, "sources"), trim=trim)
    pick = entries if callable(entries) else (lambda seed: list(entries))
    return [{"source": srcs[s % len(srcs)], "seed": s, "mutant": os.path.join(folder, f"m{s:05d}"), "delete": True,
             "entries": pick(s)} for s in range(start, start + count)]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.hostile.run", description=__doc__.split("\n\n")[0])
    p.add_argument("mutants", nargs="*")
    p.add_argument("--generate", type=int, metavar="N")
    p.add_argument("--start", type=int, default=0)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--timeout", type=float, default=10.0, help="seconds per entry point")
    p.add_argument("--memory-gb", type=float, default=3.0, help="RLIMIT_AS of a worker")
    p.add_argument("--entries", default=",".join(ENTRIES))
    p.add_argument("--trim", type=int, metavar="K", help="keep only K folders of each Datagen corpus")
    p.add_argument("--out", help="JSON lines here (default stdout)")
    p.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    memory = int(args.memory_gb * (1 << 30))
    if args.serve:
        return serve(args.timeout, memory)
    entries = args.entries.split(",")
    work = tempfile.mkdtemp(prefix="hostile-")
    try:
        tasks = [{"mutant": os.path.abspath(m), "entries": entries} for m in args.mutants]
        if args.generate:
            tasks += generated(args.generate, work, args.start, entries, args.trim)
        out = open(args.out, "w") if args.out else sys.stdout
        results = run(tasks, args.workers, args.timeout, memory,
                      on_result=lambda r: (out.write(json.dumps(r) + "\n"), out.flush()),
                      log_path=os.path.join(work, "workers.log"))
        from tests.hostile.summary import table

        print(table(results), file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
