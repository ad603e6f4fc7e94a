"""What the session holds for the current datapoint: arrived results and failures."""
from __future__ import annotations

from ..core.annotations import SegmentationLegend
from ..core.display import PreparedImage
from ..core.model import MODALITIES, Datapoint
from .workers import PreparedAnnotations


class Current:
    def __init__(self, dp: Datapoint | None):
        self.dp = dp
        self.images: dict[str, PreparedImage] = {}
        self.ann: PreparedAnnotations | None = None
        self.errors: dict[tuple, str] = {}  # ("img", modality) or ("ann",) → message
        self.announced: str | None = None  # modality for which `shown` was emitted

    def modality(self, wanted: str) -> str:
        """``wanted`` if this datapoint has it, else its first modality (the user's choice is kept)."""
        if self.dp is None or wanted in self.dp.modalities:
            return wanted
        return next((m for m in MODALITIES if m in self.dp.modalities), wanted)

    def accept(self, key: tuple, value) -> None:
        if key[0] == "img":
            if value is None:
                self.errors[("img", key[2])] = f"{key[2]}: listed in the index but the reader returned no image"
            else:
                self.images[key[2]] = value
                self.errors.pop(("img", key[2]), None)
        elif key[0] == "ann":
            self.ann = value

    def fail(self, key: tuple, message: str) -> None:
        self.errors[("img", key[2]) if key[0] == "img" else ("ann",)] = message

    def legends(self) -> dict[str, SegmentationLegend]:
        if self.ann is None:
            return {}
        return {lg.modality: lg for lg in self.ann.annotations.of_type(SegmentationLegend)}

    def messages(self, modality: str) -> list[str]:
        """Errors to show on the canvas for this modality (first line of each)."""
        out = [self.errors[k] for k in (("img", modality), ("ann",)) if k in self.errors]
        if self.ann is not None:
            out += self.ann.errors
        return [m.splitlines()[0] for m in out]

    def problems(self) -> list[str]:
        """Everything wrong with this datapoint: recorded problems, failed reads, annotation errors."""
        out = []
        for p in self.dp.problems if self.dp else []:
            out.append(f"{p.file}: {p.message}" if p.file and p.file not in p.message else p.message)
        out += list(self.errors.values()) + (self.ann.errors if self.ann else [])
        seen, unique = set(), []
        for text in out:
            if text not in seen:
                seen.add(text)
                unique.append(text)
        return unique
