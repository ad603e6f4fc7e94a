"""A big folder's first listing shared with helper processes, one per core.

Listing a scene folder of a Datagen dataset is a dozen system calls and some Python: 40-55 µs of one core per
datapoint, most of a minute at a million, and a Python process lists on one core. When a reader that takes part
(``Reader.parallel_listing``) says it expects at least ``FROM_SCENES`` scenes, helper processes are forked.
Each goes on with its copy of the opening process's own reader from the scene it stood at (the folder's scene
names listed and sorted already: a second of work at a million that a helper running the reader anew did
again), but builds only the scenes of its share: positions in the reader's order are cut into blocks of
``BLOCK``, dealt out in turn from the first block the opening process leaves to them. A helper sends each
block's scenes pickled with the paths read for them (core/scene_pickle.py, core/reads.py); the opening process
unpickles the blocks in order (about 5 µs a datapoint) and a kept listing stores them as they came
(core/listing_cache.py).

The opening process lists on by itself until the helpers are ready, so nobody waits for them to start. If a
helper fails or dies, the opening process lists the rest itself. A reader takes part by asking
:meth:`IndexContext.wants` for each scene position of its order before it builds that scene
(dgviewer/formats/base.py).

Forked, not spawned: a spawned child imports the script that called ``dgviewer.load()`` again, running its
top level, unless the script guards it with ``if __name__ == "__main__"``; a library must not ask that. The
child runs only the reader (listings, small JSON, pickling: no Qt, no lock another thread may hold) and leaves
with ``os._exit``, as core/early_listing.py's does. Where there is no ``os.fork`` (Windows) or forking a
process with threads is unsafe (macOS), the folder is listed in the opening process as before.
"""
from __future__ import annotations

import collections
import gc
import io
import logging
import os
import pickle
import sys
from multiprocessing.connection import Pipe
from multiprocessing.connection import wait as connection_wait
from typing import Callable, Iterable, Iterator

from . import reads, scene_pickle

#: Scenes a reader must expect before helpers are started (fewer are listed within a few seconds).
FROM_SCENES = 20_000
#: Scene positions per block.
BLOCK = 500
#: Niceness added to helpers: the process that opened the folder (a viewer's GUI) comes first.
HELPER_NICE = 10
#: The opening process looks for ready helpers once per this many scenes it lists (a poll is a system call).
READY_EVERY = 64

log = logging.getLogger(__name__)

Record = tuple  # (scene, problems, paths read)


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def scenes(ctx, index: Callable[[], Iterable], parallel: bool) -> Iterator:
    """The reader's scenes of ``ctx.root``, listed with helpers for a big folder (nothing kept)."""
    for records, _ in Listing(ctx, index, parallel):
        for scene, problems, _ in records:
            ctx.problems.extend(problems)
            yield scene


class Share:
    """Which positions of a reader's scene order one lister builds: :meth:`wants` says True (build it),
    False (skip it) or None (stop: nothing later is wanted)."""

    def wants(self, position: int) -> bool | None:
        return True


class Head(Share):
    """The opening process's share: every position until ``stop`` (a block number, once helpers take over)."""

    def __init__(self):
        self.stop: int | None = None
        self.block = 0  # of the last position wanted
        self.stopped = False  # the reader was told to stop: positions remain

    def wants(self, position: int) -> bool | None:
        block = position // BLOCK
        if self.stop is not None and block >= self.stop:
            self.stopped = True
            return None
        self.block = block
        return True


class From(Share):
    """Every position from block ``first`` on (the opening process taking over from failed helpers)."""

    def __init__(self, first: int):
        self.first = first

    def wants(self, position: int) -> bool:
        return position // BLOCK >= self.first


class Dealt(Share):
    """A helper's share: blocks ``first + k``, ``first + k + n``, ... Told ``first``, ``k`` and ``n`` by the
    opening process at the first position asked about."""

    def __init__(self, conn):
        self.conn = conn
        self.first: int | None = None
        self.k = self.n = 0
        self.block = -1  # of the last position wanted

    def wants(self, position: int) -> bool:
        if self.first is None:
            self.conn.send(("ready",))
            self.first, self.k, self.n = self.conn.recv()  # EOFError: not wanted after all
        block = position // BLOCK
        if block < self.first or (block - self.first) % self.n != self.k:
            return False
        self.block = block
        return True


class Listing:
    """The records of a reader's scenes, in its order: listed in this process, then (for a big folder) by
    helpers. Iterates ``(records, chunk)``: ``chunk`` is their pickled form when a helper sent them, else None.
    ``keepable``: every path read was settled (see reads.Recorder) in this process and the helpers.
    ``parallel``: the reader takes part (``Reader.parallel_listing``)."""

    def __init__(self, ctx, index: Callable[[], Iterable], parallel: bool):
        self.ctx, self.index, self.parallel = ctx, index, parallel
        self.recorder = reads.Recorder(ctx.root)
        self._helpers_keepable = True
        self.helpers: list[_Helper] = []

    @property
    def keepable(self) -> bool:
        return self.recorder.keepable and self._helpers_keepable

    def __iter__(self) -> Iterator[tuple[list[Record], bytes | None]]:
        head = Head() if self.parallel else None
        self.ctx.share = head
        try:
            yield from self._here(head)
            if head is not None and head.stopped:
                yield from self._helped(head.stop)
        finally:
            self.ctx.share = None
            for h in self.helpers:
                h.close()

    def _here(self, head: Head | None) -> Iterator[tuple[list[Record], None]]:
        """List in this process (until ``head`` stops: the helpers take over)."""
        ctx, recorder = self.ctx, self.recorder
        scenes = iter(self.index())
        listed = 0
        while True:
            n = len(ctx.problems)
            with reads.recording(recorder):
                try:
                    scene = next(scenes)
                except StopIteration:
                    return
            problems = ctx.problems[n:]
            del ctx.problems[n:]
            if head is not None and head.stop is None and self.parallel and listed % READY_EVERY == 0:
                self._hand_over(head, scenes)  # first after the first scene, before it is shown: helpers start early
            listed += 1
            yield [(scene, problems, recorder.take())], None

    def _hand_over(self, head: Head, scenes: Iterator) -> None:
        """Start helpers (going on with ``scenes``, the reader's iterator here) once the folder is known to be
        big; once they are ready, deal them the blocks after this process's current one."""
        if not self.helpers:
            if (self.ctx.expected or 0) >= FROM_SCENES:
                self.helpers = _Helper.start(self.ctx, scenes, cores())
                if not self.helpers:
                    self.parallel = False  # could not start any: list here
            return
        if not all(h.ready() for h in self.helpers):
            return
        for h in self.helpers:
            if not h.alive:
                h.close()
        self.helpers = [h for h in self.helpers if h.alive]
        if not self.helpers:
            self.parallel = False
            return
        head.stop = head.block + 1
        for k, h in enumerate(self.helpers):
            h.deal(head.stop, k, len(self.helpers))

    def _helped(self, first: int) -> Iterator[tuple[list[Record], bytes]]:
        """The helpers' blocks in order from ``first``; the rest listed here if one fails. Every pipe is drained
        as its blocks arrive (a block waits here, not in its helper): a helper blocked on a full pipe while
        the block before its own was still being listed left a core idle (1.3 s of 35 at a million)."""
        helpers, n = self.helpers, len(self.helpers)
        queues: list[collections.deque] = [collections.deque() for _ in range(n)]
        block = first
        while not all(q and q[0][0] == "end" for q in queues):
            k = (block - first) % n
            try:
                while not queues[k]:
                    self._receive(queues)
            except _HelperFailed as e:
                log.warning("listing helper failed (%s): listing the rest of %s here", e, self.ctx.root)
                for h in helpers:
                    h.close()
                self.ctx.share = From(block)
                yield from self._here(None)
                return
            head = queues[k][0]
            if head[0] == "block" and head[1] == block:
                queues[k].popleft()
                if head[2]:
                    yield scene_pickle.records(head[2], self.ctx.cache), head[2]
            # else a later block of its, or its end: this one had no scenes
            block += 1

    def _receive(self, queues: list[collections.deque]) -> None:
        """Whatever the helpers that have not ended have sent, onto their queues (waits for one message)."""
        open_ = {h.conn: (h, q) for h, q in zip(self.helpers, queues) if not (q and q[-1][0] == "end")}
        for conn in connection_wait(list(open_)):
            h, q = open_[conn]
            message = h.receive()
            if message[0] == "end":
                self._helpers_keepable = self._helpers_keepable and message[1]
            q.append(message)


class _HelperFailed(Exception):
    pass


class _Helper:
    """One helper process and the opening process's end of its pipe."""

    def __init__(self, pid: int, conn):
        self.pid: int | None = pid
        self.conn = conn
        self.is_ready = False
        self.alive = True

    @classmethod
    def start(cls, ctx, scenes: Iterator, count: int) -> list[_Helper]:
        if not hasattr(os, "fork") or sys.platform == "darwin":
            return []
        helpers = []
        for _ in range(count):
            ours, theirs = Pipe()
            try:
                pid = os.fork()
            except OSError as e:  # no processes left here
                log.info("no listing helpers: %s", e)
                ours.close()
                theirs.close()
                break
            if pid == 0:
                ours.close()
                _helper_main(ctx, scenes, theirs)  # never returns
            theirs.close()
            helpers.append(cls(pid, ours))
        return helpers

    def ready(self) -> bool:
        """Whether it has said it is ready (or has failed: ``alive`` is then False), without waiting."""
        if not self.is_ready and self.alive:
            try:
                if self.conn.poll():
                    message = self.conn.recv()
                    self.is_ready = message[0] == "ready"
                    self.alive = self.is_ready
            except (EOFError, OSError):
                self.alive = False
        return self.is_ready or not self.alive

    def deal(self, first: int, k: int, n: int) -> None:
        self.conn.send((first, k, n))

    def receive(self) -> tuple:
        try:
            message = self.conn.recv()
        except (EOFError, OSError) as e:
            raise _HelperFailed("it ended") from e
        if message[0] == "error":
            raise _HelperFailed(message[1])
        return message

    def close(self) -> None:
        """Stop it (if it still runs) and reap it."""
        if self.pid is None:
            return
        self.conn.close()
        try:
            os.kill(self.pid, 9)
        except OSError:
            pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass
        self.pid = None


def _helper_main(ctx, scenes: Iterator, conn) -> None:
    """A helper (a forked child): build the scenes of its share, send them a block at a time, and leave without
    running any of the opening process's clean-up."""
    code = 1
    try:
        # No cyclic collection here: each scene is unlinked once sent and reference counting frees it (with the
        # collector on, a helper spent a third more time; the objects copied from the opening process would be
        # rescanned too).
        gc.disable()
        try:
            os.nice(HELPER_NICE)
        except OSError:
            pass
        _list_share(ctx, scenes, conn)
        code = 0
    except (EOFError, BrokenPipeError):  # the opening process has gone, or listed it all itself
        code = 0
    except BaseException as e:
        try:
            conn.send(("error", f"{type(e).__name__}: {e}"))
        except (OSError, pickle.PicklingError):
            pass
    finally:
        os._exit(code)


def _list_share(ctx, scenes: Iterator, conn) -> None:
    """Go on with ``scenes`` (the opening process's reader, copied by the fork) over this helper's share."""
    share = ctx.share = Dealt(conn)
    recorder = reads.Recorder(ctx.root)
    block, buffer, pickler = None, None, None
    while True:
        n = len(ctx.problems)
        with reads.recording(recorder):
            try:
                scene = next(scenes)
            except StopIteration:
                break
        if share.block != block:
            if block is not None:
                conn.send(("block", block, buffer.getvalue()))
            block, buffer = share.block, io.BytesIO()
            pickler = scene_pickle.Pickler(buffer, ctx.cache)
        pickler.dump((scene, ctx.problems[n:], recorder.take()))
        del ctx.problems[n:]
        for camera in scene.cameras:  # sent: unlinked, so reference counting frees it at once
            camera._datapoints.clear()
        scene.cameras.clear()
    if block is not None:
        conn.send(("block", block, buffer.getvalue()))
    conn.send(("end", recorder.keepable))
