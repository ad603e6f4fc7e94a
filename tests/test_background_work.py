"""Work in background threads that must not stall the GUI thread: a million scene names sorted in steps
(core/sorting.py) list in the same order as sorted; the courtesy pause (core/courtesy.py) stops a loop only
while the GUI thread works, and never for long."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest

import dgviewer
from dgviewer.core import courtesy
from dgviewer.core.sorting import sorted_in_steps
from dgviewer.samples import write_sample

SCENES = 300


@pytest.fixture(scope="module")
def many_scenes(tmp_path_factory) -> str:
    """A Datagen folder of SCENES hard-linked scenes, named out of order on disk, some damaged."""
    base = tmp_path_factory.mktemp("many")
    sample = write_sample(str(base / "sample"), variant="datapoint", size=64, seed=3)
    template = os.path.join(sample, sorted(d for d in os.listdir(sample) if d.startswith("datapoint_"))[0])
    root = base / "many"
    for i in range(SCENES):
        for dirpath, _, files in os.walk(template):
            out = os.path.join(root, f"datapoint_{(i * 7919) % SCENES:05d}", os.path.relpath(dirpath, template))
            os.makedirs(out, exist_ok=True)
            for f in files:
                os.link(os.path.join(dirpath, f), os.path.join(out, f))
    for i in (3, 131, 298):  # an expected file missing: a problem on the datapoint
        os.unlink(root / f"datapoint_{i:05d}" / "actor_metadata.json")
    return str(root)


def test_scenes_sorted_in_steps_list_in_name_order_with_their_problems(many_scenes, monkeypatch):
    from dgviewer.core import sorting

    monkeypatch.setattr(sorting.sorted_in_steps, "__defaults__", (16,))  # many steps on 300 names
    ds = dgviewer.load(many_scenes, readahead=0)
    scenes = [dp.id.split("/")[1] for dp in ds]
    assert scenes == sorted(scenes) and len(scenes) == SCENES
    missing = [dp.id.split("/")[1] for dp in ds if any(p.file.endswith("actor_metadata.json") for p in dp.problems)]
    assert missing == ["datapoint_00003", "datapoint_00131", "datapoint_00298"]


@pytest.mark.parametrize("n", [0, 5, 1000, 4097])
def test_sorted_in_steps_is_sorted(n):
    import random

    items = [f"scene_{random.Random(n).randrange(10**6) + i:07d}" for i in range(n)]
    assert list(sorted_in_steps(items, step=1024)) == sorted(items)


def waited_at_give_way() -> float:
    """Seconds a background thread waits in ``courtesy.give_way()``."""
    waited = []

    def background():
        t = time.monotonic()
        courtesy.give_way()
        waited.append(time.monotonic() - t)

    worker = threading.Thread(target=background)
    worker.start()
    worker.join(5)
    return waited[0]


def test_give_way_pauses_only_while_the_gui_works_and_never_for_long():
    courtesy.busy(True)
    try:
        courtesy.give_way()  # the GUI (main) thread itself never waits
        assert 0.0 < waited_at_give_way() <= courtesy.MAX_PAUSE_S + 0.05  # busy for long: it goes on
        assert waited_at_give_way() < 0.01  # the pause is over for this turn of work
    finally:
        courtesy.busy(False)
    assert waited_at_give_way() < 0.01


def test_hold_pauses_background_threads_until_it_ends_never_the_gui_thread():
    courtesy.hold(0.2)  # a scroll step: the GUI thread is idle between frames, yet they wait
    t = time.monotonic()
    courtesy.give_way()
    assert time.monotonic() - t < 0.01  # the GUI (main) thread itself never waits
    assert 0.1 < waited_at_give_way() < 1.0  # until the hold ends, not for the busy pause's 50 ms
    assert waited_at_give_way() < 0.01  # over: at once again



PAUSE_PROBE = r"""
import gc, weakref
from dgviewer.core import collector

class Node:
    pass

assert gc.isenabled() and not gc.get_freeze_count()
with collector.paused():
    made = [Node() for _ in range(collector.MANY + 1)]
    marker = made[-1]
assert gc.isenabled() and not gc.get_freeze_count()  # not kept out of the collector's reach
assert any(o is marker for o in gc.get_objects(generation=2))
assert not any(o is marker for o in gc.get_objects(generation=0))
cycle = made[0]
cycle.me = cycle  # garbage only the collector frees
ref = weakref.ref(cycle)
del made, marker, cycle
gc.collect()
assert ref() is None

gc.freeze()  # where something is frozen (the viewer freezes its index), it stays frozen
frozen = gc.get_freeze_count()
with collector.paused():
    made = [Node() for _ in range(collector.MANY + 1)]
assert gc.get_freeze_count() == frozen
print("ok")
"""


def test_what_a_long_pause_made_goes_straight_to_the_oldest_generation_and_stays_collectable():
    # In a process of its own: the viewer's tests freeze objects in this one.
    out = subprocess.run([sys.executable, "-c", PAUSE_PROBE], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
