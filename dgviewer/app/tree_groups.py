"""Where each dataset folder, scene and camera starts in an order grouped by them: the tree's rows.

Qt-free, so a filter's worker can work them out for the order it keeps (O(order): 100-150 ms of the
GUI thread at 100k when the tree did it), and the tree model adopts them and extends them as it grows.
"""
from __future__ import annotations

from array import array

from ..core.model import Datapoint


class Groups:
    """Group starts of positions [0, ``n``) of ``order`` (a list the tree shows; grouped, not sorted here)."""

    def __init__(self, order: list[Datapoint], stop: int = 0):
        self.order = order
        self.n = 0
        self.ds_starts: list[int] = []  # first position of each dataset folder, scene, camera
        self.ds_names: list[str] = []
        self.sc_starts = array("q")
        self.cam_starts = array("q")
        self.extend(stop)

    def extend(self, stop: int) -> None:
        """Record the groups that start in positions [n, stop)."""
        order, a = self.order, self.n
        prev = order[a - 1] if a > 0 else None
        for x in range(a, stop):
            dp = order[x]
            cam = dp.camera_node
            if prev is None or cam is not prev.camera_node:
                scene = cam.scene
                if prev is None or scene is not prev.scene_node:
                    if prev is None or scene.dataset_name != prev.scene_node.dataset_name:
                        self.ds_starts.append(x)
                        self.ds_names.append(scene.dataset_name)
                    self.sc_starts.append(x)
                self.cam_starts.append(x)
            prev = dp
        self.n = max(self.n, stop)
