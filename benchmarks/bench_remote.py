"""A dataset in object storage: open → first image of an N-datapoint ``s3://`` layout, and requests per datapoint.

The server is moto's S3 API in its own process on 127.0.0.1, which keeps
every object in memory: the layout is one generated early-2022 Datagen datapoint (64 px, 11 files,
146 KB) under N ``environment_NNNNN/`` prefixes (1.5 GB at 10k; ``layouts.py``'s 256 px datapoint
would be 11 GB), and the same folders hard-linked on disk for the local comparison. Requests are
counted by a botocore ``before-send`` hook on the client dgviewer uses, split into listing pages and
object reads. Prints numbers, asserts nothing.

    python benchmarks/bench_remote.py [--datapoints 10000]
"""
from __future__ import annotations

import argparse
import collections
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1"}


#: The server process: moto's S3 API with the layout put straight into its store (over HTTP moto took
#: ~30 uploads/s on a busy machine: 110k objects would take an hour), then served on 127.0.0.1.
SERVER = r"""
import logging, os, sys
logging.getLogger("werkzeug").setLevel(logging.ERROR)
from moto.core import DEFAULT_ACCOUNT_ID
from moto.s3.models import s3_backends
from moto.server import ThreadedMotoServer

port, template, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
files = {}
for folder, _, names in os.walk(template):
    for f in names:
        with open(os.path.join(folder, f), "rb") as fh:
            files[os.path.relpath(os.path.join(folder, f), template)] = fh.read()
store = s3_backends[DEFAULT_ACCOUNT_ID]["global"]
store.create_bucket("bench", "us-east-1")
for i in range(n):
    for rel, data in files.items():
        store.put_object("bench", f"layout/environment_{i + 1:05d}/{rel}", data)
ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False).start()
print(len(files) * n, flush=True)
sys.stdin.read()
"""


def start_server(template: str, n: int) -> tuple[subprocess.Popen, str, int]:
    """(process, endpoint, objects): moto holding ``template``'s files under n prefixes of s3://bench/layout."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(port), template, str(n)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    objects = int(proc.stdout.readline() or 0)
    if not objects:
        raise SystemExit("moto server did not start")
    return proc, f"http://127.0.0.1:{port}", objects


def build_layout(base: str, n: int) -> tuple[str, str]:
    """n environment_ folders hard-linked to one generated datapoint: (the layout, the datapoint folder)."""
    from dgviewer.samples import write_sample

    template = os.path.join(base, "template")
    write_sample(template, variant="earliest", size=64, seed=0)
    first = os.path.join(template, sorted(d for d in os.listdir(template) if d.startswith("environment_"))[0])
    root = os.path.join(base, "layout")
    for i in range(n):
        shutil.copytree(first, os.path.join(root, f"environment_{i + 1:05d}"), copy_function=os.link)
    return root, first


def count_requests(counts: collections.Counter):
    """The dgviewer S3 client, with every request it sends counted by kind."""
    from dgviewer.core import remote

    fs, _ = remote._filesystem("s3://x")
    fs.connect()

    def hook(request, **_):
        kind = "list" if "list-type=2" in request.url else request.method
        counts[kind] += 1

    fs.s3.meta.events.register("before-send.s3", hook)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--datapoints", type=int, default=10_000)
    args = ap.parse_args()

    base = tempfile.mkdtemp(prefix="dgv-bench-remote-")
    root, template = build_layout(base, args.datapoints)
    t = time.perf_counter()
    proc, endpoint, objects = start_server(template, args.datapoints)
    print(f"moto server holding {objects} objects ({args.datapoints} datapoints) up in {time.perf_counter() - t:.1f} s")
    os.environ.update(CREDENTIALS, AWS_ENDPOINT_URL=endpoint, XDG_CACHE_HOME=os.path.join(base, "cache"))
    url = "s3://bench/layout"
    try:
        import dgviewer
        from dgviewer.core import remote

        counts: collections.Counter = collections.Counter()
        count_requests(counts)
        listing = []
        mount = remote.mount

        def timed_mount(*a, **kw):  # the listing inside load(), timed on its own
            t = time.perf_counter()
            try:
                return mount(*a, **kw)
            finally:
                listing.append((time.perf_counter() - t, dict(counts)))

        remote.mount = timed_mount
        t1b = time.perf_counter()
        ds = dgviewer.load(url)
        t2 = time.perf_counter()
        opened = dict(counts)
        img = ds[0].read(ds[0].modalities[0])
        t3 = time.perf_counter()
        first = dict(counts)
        for dp in list(ds)[1:21]:  # stepping on: the next datapoints' images and metadata
            dp.read(dp.modalities[0]), dp.annotations()
        t4 = time.perf_counter()
        n = len(ds)
        local_t = time.perf_counter()
        dgviewer.load(root)
        local_t = time.perf_counter() - local_t

        print(f"listing: {listing[0][0]:.2f} s, {listing[0][1]} requests")
        print(f"open (list + index): {t2 - t1b:.2f} s for {n} datapoints; requests {opened} "
              f"= {sum(opened.values()) / n:.3f} per datapoint (local folder: {local_t:.2f} s)")
        print(f"open -> first image ({img.shape[1]}x{img.shape[0]}): {t3 - t1b:.2f} s, "
              f"{sum(first.values()) - sum(opened.values())} request(s) for the image")
        print(f"next 20 datapoints (image + annotations): {(t4 - t3) / 20 * 1000:.0f} ms each, "
              f"{(sum(counts.values()) - sum(first.values())) / 20:.1f} requests each")
        print(f"load average: {open('/proc/loadavg').read().strip()}")
    finally:
        proc.stdin.close()
        proc.terminate()
        proc.wait(30)
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
