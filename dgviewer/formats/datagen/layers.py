"""The overlay layers Datagen datapoints draw, with their look and toggle keys."""
from ...core.layers import LayerSpec

_BODY = "Body, hands, feet skeletons"

LAYERS = (
    LayerSpec("standard", "iBUG-68 standard face landmarks", (0, 255, 128), visible=True,
              key="L", group="Standard landmarks (iBUG-68)"),
    LayerSpec("dense", "468 dense face landmarks", (0, 200, 255), visible=False, marker_size=3.0,
              key="M", group="Dense landmarks (468)"),
    LayerSpec("head", "head landmarks (top, left, back, right)", (255, 170, 0), visible=False,
              key="H", group="Head and ear landmarks"),
    LayerSpec("ear", "ear landmarks", (255, 90, 200), visible=False, key="H", group="Head and ear landmarks"),
    LayerSpec("body", "body keypoints with skeleton", (255, 220, 0), visible=True, key="K", group=_BODY),
    LayerSpec("hands", "hand keypoints with skeleton", (255, 120, 40), visible=True, key="K", group=_BODY),
    LayerSpec("feet", "feet keypoints", (180, 120, 255), visible=True, key="K", group=_BODY),
    LayerSpec("eyes", "eye points, iris and pupil circles", (0, 255, 255), visible=False,
              key="E", group="Eye points, iris and pupil"),
    LayerSpec("gaze", "gaze rays (visual and optical axes)", (255, 40, 40), visible=True, key="G", group="Gaze rays"),
    LayerSpec("bbox", "face bounding box", (255, 255, 255), visible=False, key="B", group="Bounding boxes",
              labels=True),
    LayerSpec("centers", "centres of geometry", (255, 0, 255), visible=False, key="C", group="Centres of geometry"),
    LayerSpec("segmentation", "segmentation as a translucent layer", visible=False, image=True, opacity=0.45,
              key="S", group="Segmentation overlay"),
)
