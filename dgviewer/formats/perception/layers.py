"""The overlay layers Unity Perception captures draw, with their look and toggle keys."""
from ...core.layers import LayerSpec

LAYERS = (
    LayerSpec("boxes", "2D boxes", (80, 255, 80), visible=True, key="B", group="Bounding boxes", labels=True),
    LayerSpec("boxes3d", "3D boxes projected to the image", (80, 200, 255), visible=False,
              key="B", group="Bounding boxes"),
    LayerSpec("skeleton", "keypoints with skeleton (Unity Perception keypoint labeler)", (255, 220, 0),
              visible=True, key="K", group="Body, hands, feet skeletons"),
    LayerSpec("segmentation", "segmentation as a translucent layer", visible=False, image=True, opacity=0.45,
              key="S", group="Segmentation overlay"),
    LayerSpec("instances", "instance segmentation as a translucent layer", visible=False, image=True,
              opacity=0.45, key="S", group="Segmentation overlay"),
)
