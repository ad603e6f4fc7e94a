"""The built-in sample dataset behind ``dgviewer demo``: generated once into the user's cache folder."""
from __future__ import annotations

import os
import shutil
import sys
import tempfile

from .. import __version__
from ..core.fsio import user_cache_dir

#: (folder name, generator variant, image size): a faces dataset, a multi-camera scene dataset and an HIC sequence.
DEMO_PARTS = (("faces", "datapoint", 512), ("scenes", "scene", 256), ("hic", "hic", 384))


def demo_paths(base: str | None = None) -> list[str]:
    """Folders of the demo dataset, generating any that are missing (atomically, so a killed run leaves no half)."""
    from . import write_sample

    root = os.path.join(base or user_cache_dir(), f"demo-{__version__}")
    os.makedirs(root, exist_ok=True)
    paths = []
    for name, variant, size in DEMO_PARTS:
        final = os.path.join(root, name)
        if not os.path.isdir(final):
            print(f"dgviewer: generating the sample dataset '{name}' in {root} (first run only)", file=sys.stderr)
            tmp = tempfile.mkdtemp(prefix=f".{name}-", dir=root)
            try:
                write_sample(os.path.join(tmp, name), variant=variant, size=size, seed=7)
                os.replace(os.path.join(tmp, name), final)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        paths.append(final)
    return paths
