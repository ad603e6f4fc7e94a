"""Keeps the canvas in line with the session: the current picture, its overlays, the notice, the
landmark highlight, the hover card, a QA finding's ring, and the native-resolution export."""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QObject
from PySide6.QtGui import QImage

from .canvas import Canvas
from ..core.display import UNREGISTERED
from .landmarks import describe_box, describe_point, find_landmark
from .render import render_prepared
from .session import Session


class CanvasBinding(QObject):
    def __init__(self, session: Session, canvas: Canvas):
        super().__init__(canvas)
        self.session, self.canvas = session, canvas
        self._drawn_image = None  # (modality, image) on the canvas
        self._drawn_ann = None  # (annotations, whether drawn over a registered image)
        self._message = ""
        self._highlight_target: tuple[str, str] | None = None  # (set name, label) kept across datapoints
        self._ring = pg.ScatterPlotItem(size=28, symbol="o", pen=pg.mkPen((255, 60, 200), width=3), brush=None)
        self._ring.setZValue(100)
        self._ring.hide()
        canvas.view.addItem(self._ring)
        session.dataset_opened.connect(self._dataset_opened)
        session.current_changed.connect(self._current_changed)
        session.updated.connect(self.draw)
        session.notice_changed.connect(lambda _: self._show_message())
        session.spot_changed.connect(self._spot_changed)
        events = session.view.events
        events.styles.connect(self._restyle)
        for signal in (events.hidden_classes, events.depth_levels, events.depth_colormap):
            signal.connect(lambda *_: self.draw(force=True))

    def _dataset_opened(self, _dataset) -> None:
        self.canvas.show_image(None, None, self.session.view)
        self.canvas.colorbar.hide()
        self.canvas.set_overlays({}, self.session.view)
        self.canvas.clear_class_overlays()
        self._drawn_image = self._drawn_ann = None
        self._show_message()

    def _current_changed(self, dp) -> None:
        if dp is None:  # nothing is current (a filter matched none): an empty canvas under the notice
            return self._dataset_opened(None)
        self.canvas.show_card(None)
        self._show_message()

    def _restyle(self, *_) -> None:
        self.canvas.restyle(self.session.view)
        self.draw(force=True)

    def draw(self, force: bool = False) -> None:
        """Bring the canvas in line with the current datapoint's arrived results and the view state."""
        s, canvas = self.session, self.canvas
        cur, view = s.cur, s.view
        m = s.modality
        img = cur.images.get(m)
        if cur.dp is None or (img is None and ("img", m) not in cur.errors):
            return
        legends = cur.legends()
        drawn = self._drawn_image
        if force or drawn is None or drawn[0] != m or drawn[1] is not img:  # identity: images are arrays
            canvas.show_image(img, legends.get(m), view)
            self._drawn_image = (m, img)
            if m == "depth" and img is not None and img.levels is not None:
                look = view.look(m)
                canvas.colorbar.show_look(look.colormap, look.levels or img.levels)
            else:
                canvas.colorbar.hide()
        registered = m not in UNREGISTERED
        drawn = self._drawn_ann
        if drawn is None or drawn[0] is not cur.ann or drawn[1] != registered:
            canvas.set_overlays(cur.ann.layers if cur.ann is not None and registered else {}, view)
            self._drawn_ann = (cur.ann, registered)
            self._reapply_highlight()
        for lg in legends.values():
            seg = cur.images.get(lg.modality) if registered and lg.modality != m else None
            canvas.set_class_overlay(lg.layer, seg, lg, view)
        if not legends:
            canvas.clear_class_overlays()
        self._show_message()

    def _show_message(self) -> None:
        cur = self.session.cur
        text = "\n".join(cur.messages(self.session.modality)) if cur.dp is not None else ""
        text = text or self.session.notice
        if text != self._message:
            self._message = text
            self.canvas.set_message(text or None)

    # -- hover, landmarks, QA spot ------------------------------------------------------
    def hover(self, col: float, row: float) -> None:
        """A card for the keypoint under the cursor, else for the 2D box; none when it left the image (NaN)."""
        on = col == col and self.session.cur.dp is not None
        hit = self.canvas.point_at(col, row) if on else None
        box = self.canvas.box_at(col, row) if on and hit is None else None
        if hit is not None:
            g, i = hit
            self.canvas.show_card(describe_point(g.source, i), self.canvas.view_to_widget(*g.xy[i]))
        elif box is not None:
            self.canvas.show_card(describe_box(box), self.canvas.view_to_widget(col, row))
        else:
            self.canvas.show_card(None)

    def goto_landmark(self, text: str) -> bool:
        """Highlight and centre one landmark (kept highlighted on the next datapoints); False if absent."""
        shown = self.canvas.shown_overlays()
        hit = find_landmark({n: it.layer for n, it in shown.items()}, [n for n, it in shown.items() if it.isVisible()],
                            text)
        if hit is None:
            return False
        g, i = hit
        self._highlight_target = (g.source.name, g.source.labels[i])
        self.canvas.set_highlight(hit)
        self.canvas.center_on(*g.xy[i])
        self.canvas.show_card(describe_point(g.source, i), self.canvas.view_to_widget(*g.xy[i]))
        return True

    def clear_highlight(self) -> None:
        self._highlight_target = None
        self.canvas.set_highlight(None)
        self.canvas.show_card(None)

    def _reapply_highlight(self) -> None:
        if self._highlight_target is None:
            return
        name, label = self._highlight_target
        for item in self.canvas.shown_overlays().values():
            for g in item.layer.points:
                if g.source.name == name and label in g.source.labels:
                    self.canvas.set_highlight((g, g.source.labels.index(label)))
                    return
        self.canvas.set_highlight(None)

    def toggle_labels(self) -> None:
        """Labels (point indices, box classes) on every visible layer that has some, or off when one has them."""
        view = self.session.view
        shown = [n for n, item in self.canvas.shown_overlays().items()
                 if item.isVisible() and (item.layer.points or item.layer.texts)]
        on = not any(view.style(n).labels for n in shown)
        view.set_styles({n: view.style(n).with_(labels=on) for n in shown})

    def _spot_changed(self, xy) -> None:
        if xy is None:
            self._ring.hide()
            return
        self._ring.setData([xy[0]], [xy[1]])
        self._ring.show()
        self.canvas.center_on(*xy)

    # -- export ---------------------------------------------------------------------------
    def export_image(self) -> QImage | None:
        """The current view at the image's native resolution, overlays and legend burned in."""
        s = self.session
        cur = s.cur
        m = s.modality if cur.dp is not None else None
        img = cur.images.get(m) if m else None
        if img is None:
            return None
        legends = cur.legends()
        class_layers = {lg.layer: (cur.images[lg.modality], lg) for lg in legends.values()
                        if lg.modality != m and cur.images.get(lg.modality) is not None}
        highlight = next((it.highlight for it in self.canvas.overlay_items.values() if it.highlight), None)
        return render_prepared(img, legends.get(m), cur.ann.layers if cur.ann else {}, class_layers, s.view,
                               burn_legend=True, highlight=highlight)
