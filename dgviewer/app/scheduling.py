"""What the workers decode for the current datapoint and its neighbours, most urgent first."""
from __future__ import annotations

from ..core.cache import ByteCache
from ..core.model import Datapoint
from .current import Current
from .view_state import ViewState
from .workers import annotations_key, image_key, load_annotations, load_image

PREFETCH = 2  # neighbours on each side, in tree order
_CLASS_LAYERS = {"segmentation": "segmentation", "instance": "instances"}  # class image → its overlay layer


def jobs_for(dp: Datapoint, settled: bool, view: ViewState, cache: ByteCache, order: list[Datapoint],
             pos: int | None, direction: int, prefetch: int = PREFETCH) -> list:
    """[(key, load, priority)]: what drawing ``dp`` (at ``pos`` in ``order``) needs, then its ``prefetch``
    neighbours' on each side.

    Settled, also every other modality of ``dp`` (the probe reads them all) and neighbours on
    both sides; in a burst only the neighbours ahead (``direction``), so the workers keep up with a held key.
    """
    jobs = drawing_jobs(dp, (10, 9, 8), view, cache)
    if settled:
        queued = {key for key, _, _ in jobs}
        jobs += [(image_key(dp, o), lambda o=o, look=view.look(o): load_image(dp, o, cache, look), 5)
                 for o in dp.modalities if image_key(dp, o) not in queued]
    sides = (1, -1) if settled else (direction,)
    for dist in range(1, prefetch + 1):
        for side in sides if pos is not None else ():
            j = pos + side * dist
            if 0 <= j < len(order):
                jobs += drawing_jobs(order[j], (5 - dist,) * 3, view, cache)
    return jobs


def drawing_jobs(dp: Datapoint, priorities: tuple[int, int, int], view: ViewState, cache: ByteCache) -> list:
    """Jobs for the shown image, the annotations and the class-overlay images of ``dp``."""
    m = Current(dp).modality(view.modality)
    look = view.look(m)
    image, ann, overlay = priorities
    jobs = [(image_key(dp, m), lambda: load_image(dp, m, cache, look), image),
            (annotations_key(dp), lambda: load_annotations(dp, cache), ann)]
    for om, layer in _CLASS_LAYERS.items():
        if om != m and om in dp.modalities and view.style(layer).visible:
            jobs.append((image_key(dp, om), lambda om=om: load_image(dp, om, cache), overlay))
    return jobs
