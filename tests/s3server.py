"""A real S3 API for the tests: moto's server on 127.0.0.1, reached the way a user reaches MinIO.

The endpoint goes to the code under test only through the standard place, ``AWS_ENDPOINT_URL`` (with
dummy ``AWS_*`` credentials), never through dgviewer's own options.
"""
from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
               "AWS_DEFAULT_REGION": "us-east-1"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class S3:
    """One running moto server: its endpoint, an s3fs client on it, uploads and object lists."""

    def __init__(self):
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.server.start()

    def client(self):
        import s3fs

        return s3fs.S3FileSystem(client_kwargs={"endpoint_url": self.endpoint}, skip_instance_cache=True)

    def upload(self, local: str | Path, bucket: str, prefix: str = "") -> str:
        """Copy the folder ``local`` to ``s3://bucket/prefix/<its name>``; that URL."""
        fs = self.client()
        if not fs.exists(bucket):
            fs.mkdir(bucket)
        local = Path(local)
        key = "/".join(p for p in (bucket, prefix, local.name) if p)
        files = [p for p in local.rglob("*") if p.is_file()]
        fs.put([str(p) for p in files], [f"{key}/{p.relative_to(local).as_posix()}" for p in files])
        return f"s3://{key}"

    def objects(self, bucket: str) -> dict[str, tuple[int, str]]:
        """Every object of ``bucket``: key → (size, ETag)."""
        fs = self.client()
        fs.invalidate_cache()
        return {k: (v["size"], v.get("ETag", "")) for k, v in fs.find(bucket, detail=True).items()}

    def stop(self) -> None:
        self.server.stop()


@contextmanager
def pointed_at(endpoint: str):
    """``AWS_ENDPOINT_URL`` and dummy credentials set, and fsspec's cached clients dropped around the block."""
    import s3fs

    saved = {k: os.environ.get(k) for k in (*CREDENTIALS, "AWS_ENDPOINT_URL")}
    os.environ.update(CREDENTIALS, AWS_ENDPOINT_URL=endpoint)
    s3fs.S3FileSystem.clear_instance_cache()
    try:
        yield
    finally:
        s3fs.S3FileSystem.clear_instance_cache()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextmanager
def refusing_server(bucket: str, key: str, body: bytes):
    """A moto server (its own process) holding one object that then refuses every request of ours:
    after the uploads, moto authenticates requests, and our credentials are no IAM user it knows."""
    import boto3

    port = free_port()
    env = {**os.environ, **CREDENTIALS, "INITIAL_NO_AUTH_ACTION_COUNT": "2"}
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("moto server did not start")
                time.sleep(0.1)
        s3 = boto3.client("s3", endpoint_url=endpoint, **{k.lower(): v for k, v in CREDENTIALS.items()
                                                          if k != "AWS_DEFAULT_REGION"}, region_name="us-east-1")
        s3.create_bucket(Bucket=bucket)  # the two unauthenticated actions
        s3.put_object(Bucket=bucket, Key=key, Body=body)
        yield endpoint
    finally:
        proc.terminate()
        proc.wait(10)
