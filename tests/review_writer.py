"""Helper process for the kill test in test_review.py (not a test module).

It imports the review store once, then for every ``run ROUND`` line on stdin
forks a writer that saves new decisions in a loop and prints ``ack ID STATE
REASON`` after each save returns. The test SIGKILLs the writer at a random
moment; this process reaps it and prints ``dead``. Forking from a warm
process makes each round cost milliseconds instead of an interpreter start.

    python review_writer.py ROOT DATA_DIR
"""
from __future__ import annotations

import os
import random
import sys

from dgviewer.core.review import STATES, ReviewStore


def say(line: str) -> None:
    """One line in one write: the writer and this process share the pipe (and print() may write twice)."""
    sys.stdout.write(line)
    sys.stdout.flush()


def write_forever(root: str, data_dir: str, round_no: int) -> None:
    store = ReviewStore({"ds": root}, reviewer="killtest", data_dir=data_dir)
    rng = random.Random(round_no)
    parent = os.getppid()
    for i in range(1_000_000):
        if os.getppid() != parent:  # orphaned: the test is gone
            return
        dp_id = f"ds/round{round_no:04d}/dp{i:05d}.png"
        state = rng.choice(STATES)
        reason = f"r{round_no}-{i}" if state != "pass" else ""
        store.set(dp_id, state, reason)
        say(f"ack {dp_id} {state} {reason}\n")


def main() -> None:
    root, data_dir = sys.argv[1], sys.argv[2]
    for line in sys.stdin:
        round_no = int(line.split()[1])
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            try:
                write_forever(root, data_dir, round_no)
            finally:
                os._exit(0)
        say(f"pid {pid}\n")
        os.waitpid(pid, 0)
        say("dead\n")


if __name__ == "__main__":
    main()
