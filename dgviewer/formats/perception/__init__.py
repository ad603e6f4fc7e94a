"""Unity Perception datasets: SOLO (``perception-solo``) and the legacy schema (``perception-legacy``).

The formats are described in the project's perception-format.md spec. What
the two readers make of them:

Tree
    dataset → sequence (Scene ``sequence.<N>``; legacy UUIDs are numbered in
    order of first appearance, the UUID kept in ``meta["sequence_id"]``) →
    sensor (Camera, named by the sensor id) → one capture at one step
    (Datapoint ``<dataset>/sequence.<N>/<sensor>/step<K>``).
``Datapoint.meta``
    ``sequence``, ``step``, ``timestamp`` (seconds since the sequence began;
    None when absent, as in pre-1.0 SOLO), ``sensor``, ``position`` /
    ``rotation`` (the sensor's world pose in Unity axes, quaternion x,y,z,w;
    legacy composes ego and sensor, spec §3.4), ``annotations`` (names of what
    the index saw: layer names for drawables, the ``@type`` short name or
    definition name for anything else); SOLO adds ``frame``, legacy
    ``sequence_id``, ``capture_id`` and ``ego``.
Modalities
    ``visible``, ``segmentation`` and ``instance`` as stored (RGBA, alpha
    kept); ``depth`` in metres; ``normals`` and ``pixel_position`` converted
    to the OpenCV camera frame (y down). No surface is NaN.
Annotations
    Box2D (``boxes``), Box3D (``boxes3d``, projected through the stored
    projection matrix, perspective or orthographic), KeypointSet
    (``skeleton``; state 0 points are NaN, ``visible`` is state 2),
    SegmentationLegend for ``segmentation`` and ``instances`` (RGBA colours),
    RawAnnotation for custom and unknown types, and the capture's Metric items.
Metrics
    :meth:`PerceptionDatapoint.metrics` lists the metrics that concern a
    capture, each with a scope: ``capture`` / ``annotation`` (its own),
    ``step`` (frame-level, for every capture of the step), ``sequence``
    (legacy records of a step without captures, or without a step) and
    ``simulation`` (legacy records of a sequence without any capture, e.g.
    the random seed). The same items are in ``annotations()``; ``metadata()``
    holds the raw records.
Problems
    A refused or missing file, a malformed annotation or an unreadable JSON
    file becomes a problem on the datapoint concerned (or on the dataset when
    no datapoint can hold it), never an exception from indexing or
    ``annotations()``. ``read()`` raises DataError only for a file that exists
    and cannot be decoded.

See also :func:`dgviewer.core.timeline.capture_timeline` for a sequence's
per-sensor capture times.
"""
from .legacy import LegacyReader
from .solo import SoloReader

__all__ = ["SoloReader", "LegacyReader"]
