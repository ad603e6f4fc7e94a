"""A render sink: each camera's drawn frames as one video (``dgviewer render --video OUT.mp4|OUT.gif``).

Frames arrive in tree order, so a camera's (a HIC camera's frames, a Perception sensor's steps) come
together; each camera gets its own file beside OUT, ``OUT__<scene>__<camera>.mp4`` (the dataset's name
first when several are open), written through imageio: its ffmpeg plugin (imageio-ffmpeg, H.264) for
.mp4, Pillow for .gif. A file is written under a temporary name and moved into place once complete.
"""
from __future__ import annotations

import os
from typing import Callable

from ...core.errors import DgviewerError
from .folder import output_name
from .png import qimage_to_bgr

FORMATS = (".mp4", ".gif")
MP4_QUALITY = 9  # imageio-ffmpeg's 0-10 scale: near-lossless, so one-pixel landmarks keep their colour


def _nothing() -> None:
    pass


class Video:
    def __init__(self, out: str, fps: float, several_datasets: bool):
        stem, ext = os.path.splitext(out)
        if ext.lower() not in FORMATS:
            raise DgviewerError(f"{out}: a video must end in {' or '.join(FORMATS)}")
        folder = os.path.dirname(os.path.abspath(out))
        if not os.path.isdir(folder):
            raise DgviewerError(f"{out}: no such folder {folder}")
        self.stem, self.ext, self.fps = stem, ext.lower(), fps
        self.several = several_datasets
        self.written: list[tuple[str, int]] = []  # (file, frames)
        self._camera = None
        self._writer = None
        self._part = self._path = ""
        self._frames = 0
        self._shape = None

    def path_for(self, dp) -> str:
        scene = dp.scene_node
        parts = ([scene.dataset_name] if self.several else []) + [scene.name, dp.camera_node.name]
        return f"{self.stem}__{os.path.splitext(output_name('/'.join(parts)))[0]}{self.ext}"

    def add(self, dp, image) -> Callable[[], None]:
        if dp.camera_node is not self._camera:
            self._close()
            self._open(dp)
        rgb = qimage_to_bgr(image)[..., ::-1]
        if self._shape is None:
            self._shape = rgb.shape
        elif rgb.shape != self._shape:
            raise DgviewerError(f"its image is {rgb.shape[1]}×{rgb.shape[0]}, the camera's first frame "
                                f"{self._shape[1]}×{self._shape[0]}: left out of {os.path.basename(self._path)}")
        self._append(rgb)
        self._frames += 1
        return _nothing  # appended here: a video's frames must go in order, not through the worker threads

    def missing(self, dp, why: str) -> None:
        pass

    def finish(self) -> str:
        self._close()
        if not self.written:
            return "no video written"
        return ", ".join(f"{path} ({n} frames)" for path, n in self.written)

    # -- one file per camera ----------------------------------------------------------------
    def _open(self, dp) -> None:
        import imageio.v2 as imageio
        import imageio.v3 as iio

        self._camera, self._path, self._frames, self._shape = dp.camera_node, self.path_for(dp), 0, None
        folder, name = os.path.split(self._path)
        self._part = os.path.join(folder, f".{name}.partial{self.ext}")
        if self.ext == ".gif":
            self._writer = iio.imopen(self._part, "w", plugin="pillow")
            duration = round(1000 / self.fps)
            self._append = lambda rgb: self._writer.write(rgb, duration=duration, loop=0)
        else:
            # macro_block_size=2: H.264 needs even sides; ffmpeg scales an odd side up by one pixel
            self._writer = imageio.get_writer(self._part, format="FFMPEG", mode="I", fps=self.fps, codec="libx264",
                                              quality=MP4_QUALITY, macro_block_size=2)
            self._append = self._writer.append_data

    def _close(self) -> None:
        if self._writer is None:
            return
        writer, self._writer = self._writer, None
        writer.close()
        if self._frames:
            os.replace(self._part, self._path)
            self.written.append((self._path, self._frames))
        else:
            os.unlink(self._part)
