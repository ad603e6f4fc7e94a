"""The main window: wires the tree, canvas, panels and worker pool around the current datapoint."""
from __future__ import annotations

import gc
import os
import time

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QImage, QKeySequence
from PySide6.QtWidgets import QDockWidget, QFileDialog, QInputDialog, QLabel, QMainWindow, QVBoxLayout, QWidget

from ..core.cache import ByteCache
from ..formats.registry import load
from ..core.display import UNREGISTERED
from ..core.model import MODALITIES, Dataset, Datapoint
from . import shortcuts
from .canvas import Canvas
from .current import Current
from .inspector import Inspector
from .landmarks import describe_point, find_landmark
from .layer_panel import LayerPanel
from .legend import LegendPanel
from .metrics_panel import MetricsPanel
from .modality_bar import ModalityBar
from .probe import probe_text, probe_values
from .qa_panel import QAPanel
from .review_panel import ReviewController
from .render import render_prepared
from .settings import Settings
from .timeline_widget import TimelineWidget
from .tree_panel import TreePanel
from .view_state import ViewState
from .workers import Loader, annotations_key, image_key, load_annotations, load_image

PREFETCH = 2  # neighbours on each side, in tree order
#: A key or tree step this soon after the previous one is part of a burst (a held key): until it
#: settles, only what drawing needs is decoded, for the current datapoint and those ahead of it.
SETTLE_MS = 250
#: During a burst the tree scrolls to the current row at most this often (each scroll repaints it all).
REVEAL_S = 0.5


class _StatusLabel(QLabel):
    """A status-bar label of fixed size, widened only when a text does not fit.

    A label that may change size asks the window for a layout pass on every setText,
    and that repainted every dock on each datapoint switch.
    """

    def setText(self, text: str) -> None:
        super().setText(text)
        hint = self.sizeHint()
        if self.minimumSize() != self.maximumSize() or hint.width() > self.width():
            self.setFixedSize(hint.expandedTo(self.minimumSize()))


class MainWindow(QMainWindow):
    #: A datapoint's image and overlays are on screen (id); tests, the benchmark and --screenshot wait on it.
    shown = Signal(str)
    dataset_opened = Signal(object)
    open_failed = Signal(str)

    def __init__(self, settings: Settings | None = None, cache_bytes: int | None = None, restore_layout: bool = True):
        super().__init__()
        self.settings = settings or Settings()
        self.cache = ByteCache(cache_bytes or self.settings.cache_bytes)
        self.loader = Loader(self.cache, parent=self)
        self.view = ViewState()
        self.dataset: Dataset | None = None
        self.cur = Current(None)
        self._paths: list[str] = []
        self._goto: str | None = None
        self._highlight_target: tuple[str, str] | None = None  # (set name, label) kept across datapoints
        self.setWindowTitle("dgviewer")
        self.resize(1440, 900)
        self.setAcceptDrops(True)
        self._build_widgets()
        self._build_actions()
        self._build_tools()
        self._inspector_timer = QTimer(self, singleShot=True, interval=120)
        self._inspector_timer.timeout.connect(self._update_inspector)
        # Switches and worker results are applied on the next event-loop turn, so a burst of them
        # costs one update for the latest (see show_datapoint).
        self._catch_up_timer = QTimer(self, singleShot=True, interval=0)
        self._catch_up_timer.timeout.connect(self._catch_up)
        self._redraw_timer = QTimer(self, singleShot=True, interval=0)
        self._redraw_timer.timeout.connect(self._redraw)
        self._settle_timer = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._settle_timer.timeout.connect(self._settled)
        self._burst = False
        self._direction = 1  # of the last step, for prefetching ahead during a burst
        self._revealed_at = 0.0  # when the tree last scrolled to the current row
        self._keep_message = False
        self._legend_shown = None  # (legend, segmentation image) the legend panel shows
        self.loader.signals.done.connect(self._on_done)
        self.loader.signals.failed.connect(self._on_failed)
        self._keep_layout = restore_layout
        geometry, state = self.settings.window_layout() if restore_layout else (None, None)
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        if isinstance(state, QByteArray):
            self.restoreState(state)

    # -- construction ---------------------------------------------------------
    def _dock(self, title: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(title.lower())
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_widgets(self) -> None:
        self.canvas = Canvas()
        self.bar = ModalityBar()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.bar)
        layout.addWidget(self.canvas, 1)
        self.setCentralWidget(central)
        self.canvas.glw.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.canvas.glw.setFocus()
        self.tree = TreePanel()
        self.layers = LayerPanel(self.view)
        self.legend = LegendPanel(self.view.hidden_classes)
        self.inspector = Inspector()
        left = Qt.DockWidgetArea.LeftDockWidgetArea
        right = Qt.DockWidgetArea.RightDockWidgetArea
        self.tree_dock = self._dock("Datapoints", self.tree, left)
        self.layers_dock = self._dock("Layers", self.layers, right)
        self.legend_dock = self._dock("Legend", self.legend, right)
        self.inspector_dock = self._dock("Inspector", self.inspector, right)
        self.tabifyDockWidget(self.legend_dock, self.inspector_dock)
        self.inspector_dock.raise_()
        self.resizeDocks([self.tree_dock, self.layers_dock], [380, 360], Qt.Orientation.Horizontal)
        self.probe = QLabel()
        self.probe.setStyleSheet("font-family: monospace;")
        self.probe.setMinimumWidth(1)  # a long readout is clipped, never widens the window
        self.position = _StatusLabel()
        self.cache_label = _StatusLabel()
        self.cache_label.setStyleSheet("color: gray")
        self.statusBar().addWidget(self.probe, 1)
        self.statusBar().addPermanentWidget(self.position)
        self.statusBar().addPermanentWidget(self.cache_label)

        self.tree.datapoint_selected.connect(self._navigate)
        self.tree.filter_applied.connect(self._after_filter)
        self.tree.filter.returnPressed.connect(self.canvas.glw.setFocus)
        self.bar.modality_chosen.connect(self.set_modality)
        self.bar.depth_range_changed.connect(self._set_depth_range)
        self.bar.colormap_chosen.connect(self._set_colormap)
        self.bar.fit_clicked.connect(self.canvas.fit)
        self.bar.one_to_one_clicked.connect(self.canvas.one_to_one)
        self.layers.style_changed.connect(self._style_changed)
        self.legend.hidden_changed.connect(lambda _: self._redraw(force=True))
        self.canvas.hovered.connect(self._hovered)

    def _action(self, ident: str, key: str, text: str, slot, menu) -> QAction:
        act = QAction(text, self)
        act.setObjectName(ident)
        act.setShortcut(QKeySequence(key))
        act.triggered.connect(slot)
        menu.addAction(act)
        self.addAction(act)  # shortcuts work while the menu bar is hidden too
        return act

    def _build_actions(self) -> None:
        mb = self.menuBar()
        file_menu, go, view = mb.addMenu("&File"), mb.addMenu("&Go"), mb.addMenu("&View")
        self.view_menu = view
        overlays, help_menu = mb.addMenu("&Overlays"), mb.addMenu("&Help")
        slots = {
            "open": self.open_dialog, "save_png": self.save_png_dialog, "quit": self.close,
            "filter": lambda: (self.tree.filter.setFocus(), self.tree.filter.selectAll()),
            "next": lambda: self.step(1), "previous": lambda: self.step(-1),
            "next_camera": lambda: self.group_step("camera", 1),
            "previous_camera": lambda: self.group_step("camera", -1),
            "next_scene": lambda: self.group_step("scene", 1),
            "previous_scene": lambda: self.group_step("scene", -1),
            "goto_datapoint": self.goto_datapoint_dialog,
            "fit": self.canvas.fit, "one_to_one": self.canvas.one_to_one, "labels": self.toggle_labels,
            "goto_landmark": self.goto_landmark_dialog, "depth_auto": lambda: self._set_depth_range(None),
            "shortcuts": self.show_shortcuts,
        }
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        for ident, key, text in shortcuts.FILE:
            self._action(ident, key, text, slots[ident], file_menu)
        file_menu.addAction("Cache size…", self.cache_size_dialog)
        for ident, key, text in shortcuts.NAVIGATION:
            self._action(ident, key, text, slots[ident], go)
        group = QActionGroup(self)
        self.modality_actions = {}
        for key, m in shortcuts.modality_keys():
            act = self._action(f"modality_{m}", key, m.capitalize(), lambda _=False, m=m: self.set_modality(m), view)
            act.setCheckable(True)
            group.addAction(act)
            self.modality_actions[m] = act
        view.addSeparator()
        for ident, key, text in shortcuts.VIEW:
            self._action(ident, key, text, slots[ident], view)
        self._action("clear_highlight", "Esc", "Clear landmark highlight", self.clear_highlight, view)
        view.addSeparator()
        for dock in (self.tree_dock, self.layers_dock, self.legend_dock, self.inspector_dock):
            view.addAction(dock.toggleViewAction())
        for key, text, names in self.view.layers.toggles():
            self._action(f"toggle_{names[0]}", key, text, lambda _=False, n=names: self.toggle_layers(n), overlays)
        for ident, key, text in shortcuts.HELP:
            self._action(ident, key, text, slots[ident], help_menu)

    def _build_tools(self) -> None:
        """Review and dataset-inspection tools; each keeps itself in step through the window's signals."""
        self.review = ReviewController(self)
        self.centralWidget().layout().insertWidget(1, self.review.bar)
        self.qa = QAPanel(self)
        self.qa_dock = self._dock("QA", self.qa, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.qa_dock.hide()  # View ▸ QA; a dataset opens with the picture as large as it can be
        self.view_menu.addAction(self.qa_dock.toggleViewAction())
        # Perception only: each hides itself (and its View menu entry) for datasets without the data.
        self.metrics = MetricsPanel()
        self.metrics_dock = self._dock("Metrics", self.metrics, Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self.inspector_dock, self.metrics_dock)
        self.metrics.follow(self, self.metrics_dock)
        self.timeline = TimelineWidget()
        self.timeline_dock = self._dock("Timeline", self.timeline, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.timeline.follow(self, self.timeline_dock)
        for dock in (self.metrics_dock, self.timeline_dock):
            self.view_menu.addAction(dock.toggleViewAction())
            dock.hide()

    # -- opening --------------------------------------------------------------
    def open_paths(self, paths: list[str], goto: str | None = None) -> None:
        """Index ``paths`` on a worker; the tree fills and the first (or ``goto``) datapoint shows when done."""
        self._paths = [os.path.abspath(p) for p in paths]
        self._goto = goto
        self.tree.set_busy(True, "Indexing " + ", ".join(self._paths) + " …")
        self.canvas.set_message(None)
        self.loader.run_once(("open", tuple(self._paths)), lambda p=tuple(self._paths): load(*p, cache=self.cache))

    def open_dialog(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Open dataset folder")
        if path:
            self.open_paths([path])

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for paths in self.settings.recent():
            self.recent_menu.addAction(" + ".join(paths), lambda p=paths: self.open_paths(p))
        if self.recent_menu.isEmpty():
            self.recent_menu.addAction("(none)").setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear list", self.settings.clear_recent)

    def _set_dataset(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.view.layers = dataset.layers  # styles follow the readers of the dataset now open
        self.view.styles.clear()
        self.cache.clear()
        self.tree.set_busy(False)
        self.tree.set_dataset(dataset)
        # The index, the tree and the app's own objects live as long as the dataset; frozen, they are
        # out of the collector's reach, so a full collection (it holds the GIL: 50–150 ms over
        # everything alive here, a visible stall) walks only what was made since. Unfreezing first
        # lets the previous dataset go.
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        self.bar.set_offered({m for dp in dataset for m in dp.modalities})
        self.canvas.glw.setFocus()  # arrows must navigate, not move a text cursor in the filter box
        self.settings.add_recent(self._paths)
        self.setWindowTitle("dgviewer — " + " + ".join(os.path.basename(p) for p in self._paths))
        self.dataset_opened.emit(dataset)
        start = None
        if self._goto:
            start = dataset.get(self._goto)
            if start is None:
                self.canvas.set_message(f"No datapoint with id {self._goto!r}; showing the first one.")
        order = self.tree.model.order
        start = start or (order[0] if order else None)
        if start is None:
            self.canvas.set_message("This dataset has no datapoints." if not len(dataset)
                                    else "No datapoint matches the filter.")
        else:
            self.show_datapoint(start, keep_message=bool(self._goto) and dataset.get(self._goto) is None)

    def _after_filter(self) -> None:
        if self.cur.dp is not None and self.tree.model.position(self.cur.dp) is not None:
            self.tree.select(self.cur.dp)

    # -- navigation -----------------------------------------------------------
    def step(self, n: int) -> None:
        order = self.tree.model.order
        if not order:
            return
        pos = self.tree.model.position(self.cur.dp) if self.cur.dp else None
        i = 0 if pos is None else max(0, min(len(order) - 1, pos + n))
        self._direction = 1 if n >= 0 else -1
        if order[i] is not self.cur.dp:
            self._navigate(order[i])

    def group_step(self, kind: str, step: int) -> None:
        if self.cur.dp is None:
            return self.step(0)
        target = self.tree.model.first_of_next_group(self.cur.dp, kind, step)
        self._direction = 1 if step >= 0 else -1
        if target is not None:
            self._navigate(target)

    def goto_datapoint_dialog(self) -> None:
        if self.dataset is None:
            return
        text, ok = QInputDialog.getText(self, "Go to datapoint", "Datapoint id:")
        dp = self.dataset.get(text.strip()) if ok else None
        if dp is not None:
            self.show_datapoint(dp)
        elif ok:
            self.statusBar().showMessage(f"No datapoint with id {text.strip()!r}", 5000)

    def show_datapoint(self, dp: Datapoint, keep_message: bool = False) -> None:
        """Make ``dp`` current. Its tree row, worker jobs and picture catch up on the next turn of the
        event loop (what is cached is drawn then, the rest is queued, the neighbours are prefetched),
        so key presses that come faster than frames cost one update, for the latest.
        """
        if dp is not self.cur.dp:
            self.cur = Current(dp)
        self._burst = False
        self._settle_timer.stop()
        self._keep_message = keep_message
        self._catch_up_timer.start()

    def _navigate(self, dp: Datapoint) -> None:
        """Show ``dp`` for a key press or a tree click; several in quick succession are a burst."""
        burst = self._settle_timer.isActive()
        self.show_datapoint(dp)
        self._burst = burst
        self._settle_timer.start()

    def _catch_up(self) -> None:
        dp = self.cur.dp
        if dp is None:
            return
        self._select_in_tree(reveal=not self._burst or time.monotonic() - self._revealed_at > REVEAL_S)
        if not self._keep_message:
            self.canvas.set_message(None)
        self.canvas.show_card(None)
        self._request(settled=not self._burst)
        pos = self.tree.model.position(dp)
        self.position.setText(f"{dp.id}   {'' if pos is None else pos + 1} / {self.tree.model.total}")
        self._redraw()

    def _settled(self) -> None:
        """The burst is over: queue the rest (the probe's modalities, the neighbours behind)."""
        self._burst = False
        if self.cur.dp is not None:
            self._select_in_tree(reveal=True)
            self._request(settled=True)
            self._redraw()

    def _select_in_tree(self, reveal: bool) -> None:
        self.tree.select(self.cur.dp, reveal)
        if reveal:
            self._revealed_at = time.monotonic()

    def _request(self, settled: bool) -> None:
        """Replace the worker queue with the current datapoint's jobs and take what is already cached."""
        dp = self.cur.dp
        jobs = self._jobs_for(dp, settled)
        self.loader.focus(jobs)
        for key, _, _ in jobs:
            if key[1] == dp.id:
                hit, value = self.loader.cached(key)
                if hit:
                    self.cur.accept(key, value)

    def _jobs_for(self, dp: Datapoint, settled: bool) -> list:
        """[(key, load, priority)]: what drawing ``dp`` needs, then its neighbours'.

        Settled, also every other modality of ``dp`` (the probe reads them all) and neighbours on
        both sides; in a burst only the neighbours ahead, so the workers keep up with a held key.
        """
        jobs = self._drawing_jobs(dp, (10, 9, 8))
        if settled:
            cache = self.cache
            queued = {key for key, _, _ in jobs}
            jobs += [(image_key(dp, o), lambda o=o, look=self.view.look(o): load_image(dp, o, cache, look), 5)
                     for o in dp.modalities if image_key(dp, o) not in queued]
        pos = self.tree.model.position(dp)
        order = self.tree.model.order
        sides = (1, -1) if settled else (self._direction,)
        for dist in range(1, PREFETCH + 1):
            for side in sides if pos is not None else ():
                j = pos + side * dist
                if 0 <= j < len(order):
                    jobs += self._drawing_jobs(order[j], (5 - dist,) * 3)
        return jobs

    def _drawing_jobs(self, dp: Datapoint, priorities: tuple[int, int, int]) -> list:
        """Jobs for the shown image, the annotations and the class-overlay images of ``dp``."""
        cache = self.cache
        m = Current(dp).modality(self.view.modality)
        look = self.view.look(m)
        image, ann, overlay = priorities
        jobs = [(image_key(dp, m), lambda: load_image(dp, m, cache, look), image),
                (annotations_key(dp), lambda: load_annotations(dp, cache), ann)]
        for om in ("segmentation", "instance"):
            if om != m and om in dp.modalities and self._class_layer_on(om):
                jobs.append((image_key(dp, om), lambda om=om: load_image(dp, om, cache), overlay))
        return jobs

    def _class_layer_on(self, modality: str) -> bool:
        layer = {"segmentation": "segmentation", "instance": "instances"}[modality]
        return self.view.style(layer).visible

    # -- results --------------------------------------------------------------
    def _on_done(self, key, value) -> None:
        if key[0] == "open":
            self._set_dataset(value)
            return
        if self.cur.dp is not None and key[1] == self.cur.dp.id:
            self.cur.accept(key, value)
            self._redraw_timer.start()

    def _on_failed(self, key, message: str, details: str) -> None:
        if key[0] == "open":
            self.tree.set_busy(False, "Nothing open")
            text = f"Could not open the dataset.\n{message}"
            self.canvas.set_message(text)
            self.open_failed.emit(message)
            return
        if details:  # a bug, not bad data: say so where it cannot be missed
            self.statusBar().showMessage(f"Internal error while reading {key[1]}: {message} (details in Inspector)")
        dp = self.dataset.get(key[1]) if self.dataset else None
        if dp is not None:
            dp.add_problem(None, message)
            self.tree.model.datapoint_changed(dp)
        if self.cur.dp is not None and key[1] == self.cur.dp.id:
            self.cur.fail(key, message + ("\n" + details if details else ""))
            self._redraw_timer.start()

    # -- drawing --------------------------------------------------------------
    def _redraw(self, force: bool = False) -> None:
        """Bring the canvas and panels in line with the current datapoint and the view state."""
        cur = self.cur
        if cur.dp is None:
            return
        m = cur.modality(self.view.modality)
        self.bar.set_available(cur.dp.modalities, m)
        self.modality_actions[m].setChecked(True)
        img, img_error = cur.images.get(m), cur.errors.get(("img", m))
        if img is None and img_error is None:
            return  # keep the previous picture until this one is decoded
        legends = cur.legends()
        if force or cur.drawn_image != (m, id(img)):
            self.canvas.show_image(img, legends.get(m), self.view)
            cur.drawn_image = (m, id(img))
            if m == "depth" and img is not None:
                self.bar.show_depth_range(*(self.view.depth_levels or img.levels))
        registered = m not in UNREGISTERED
        if cur.ann is not None and cur.drawn_ann is not cur.ann:
            self.canvas.set_overlays(cur.ann.layers if registered else {}, self.view)
            cur.drawn_ann = cur.ann
            self._reapply_highlight()
        elif cur.ann is None and cur.drawn_ann is not None:
            self.canvas.set_overlays({}, self.view)
            cur.drawn_ann = None
        self.layers.set_present(cur.ann.annotations.layers if cur.ann else [])
        for lg in legends.values():
            seg = cur.images.get(lg.modality) if registered and lg.modality != m else None
            self.canvas.set_class_overlay(lg.layer, seg, lg, self.view)
        if not legends:
            self.canvas.clear_class_overlays()
        self._update_legend_panel(m, legends)
        messages = cur.messages(m)
        if messages:
            self.canvas.set_message("\n".join(messages))
        self._inspector_timer.start()
        self.cache_label.setText(f"cache {self.cache.size_bytes >> 20} / {self.cache.max_bytes >> 20} MB")
        if cur.ann is not None or ("ann",) in cur.failed_kinds():
            if cur.announced != m:
                cur.announced = m
                if not self._burst:  # whoever waits on `shown` (a screenshot, a test) sees this datapoint's
                    self._inspector_timer.stop()  # metadata; a held key keeps the inspector debounced
                    self._update_inspector()
                self.shown.emit(cur.dp.id)

    def _update_legend_panel(self, m: str, legends: dict) -> None:
        lg = legends.get(m) or legends.get("segmentation") or next(iter(legends.values()), None)
        seg = self.cur.images.get(lg.modality) if lg else None
        shown = self._legend_shown
        if shown is None or shown[0] is not lg or shown[1] is not seg:  # most redraws are for other results
            self._legend_shown = (lg, seg)
            self.legend.set_legend(lg, seg)

    def _update_inspector(self) -> None:
        cur = self.cur
        if cur.dp is None:
            return
        self.inspector.set_datapoint(cur.dp.id, cur.ann.metadata if cur.ann else None, cur.problems())

    # -- view state changes ---------------------------------------------------
    def set_modality(self, modality: str) -> None:
        if modality not in MODALITIES:
            return
        if self.cur.dp is not None and modality not in self.cur.dp.modalities:
            self.statusBar().showMessage(f"This datapoint has no {modality} image", 3000)
            self._redraw()
            return
        self.view.modality = modality
        if self.cur.dp is not None:
            self.show_datapoint(self.cur.dp, keep_message=True)

    def _style_changed(self, layer: str, style) -> None:
        self.canvas.restyle(self.view)
        if layer in ("segmentation", "instances") and self.cur.dp is not None:
            self.show_datapoint(self.cur.dp, keep_message=True)  # may need the segmentation image now
        self._redraw(force=True)

    def toggle_layers(self, names) -> None:
        present = set(self.cur.ann.annotations.layers) if self.cur.ann else set(names)
        targets = [n for n in names if n in present] or list(names)
        on = not any(self.view.style(n).visible for n in targets)
        for n in names:
            self.view.styles[n] = self.view.style(n).with_(visible=on)
        self.layers.refresh()
        self._style_changed(targets[0], self.view.style(targets[0]))

    def show_layer(self, name: str) -> None:
        """Switch one overlay layer on (jumping to a QA finding)."""
        self.view.styles[name] = self.view.style(name).with_(visible=True)
        self.layers.refresh()
        self._style_changed(name, self.view.styles[name])

    def toggle_labels(self) -> None:
        shown = [n for n, item in self.canvas.shown_overlays().items() if item.isVisible() and item.layer.points]
        on = not any(self.view.style(n).labels for n in shown)
        for n in shown:
            self.view.styles[n] = self.view.style(n).with_(labels=on)
        self.layers.refresh()
        self.canvas.restyle(self.view)

    def _set_depth_range(self, levels) -> None:
        self.view.depth_levels = levels
        self._redraw(force=True)

    def _set_colormap(self, name: str) -> None:
        self.view.depth_colormap = name
        self._redraw(force=True)

    # -- hover, probe, landmarks ----------------------------------------------
    def _hovered(self, col: float, row: float) -> None:
        if col != col or self.cur.dp is None:  # NaN: the cursor left the image
            self.probe.setText("")
            self.canvas.show_card(None)
            return
        values = probe_values(self.cur.images, self.cur.legends(), col, row)
        self.probe.setText(probe_text(col, row, values))
        hit = self.canvas.point_at(col, row)
        if hit is None:
            self.canvas.show_card(None)
        else:
            g, i = hit
            self.canvas.show_card(describe_point(g.source, i), self.canvas.view_to_widget(*g.xy[i]))

    def goto_landmark_dialog(self) -> None:
        text, ok = QInputDialog.getText(self, "Go to landmark",
                                        "Landmark label or index, optionally after a set name\n"
                                        "(31, dense 1, ear.left 5):")
        if ok and text.strip():
            if not self.goto_landmark(text):
                self.statusBar().showMessage(f"No landmark {text.strip()!r} on this datapoint", 5000)

    def goto_landmark(self, text: str) -> bool:
        """Highlight and centre one landmark (kept highlighted on the next datapoints); False if absent."""
        layers = {n: it.layer for n, it in self.canvas.shown_overlays().items()}
        visible = [n for n, it in self.canvas.shown_overlays().items() if it.isVisible()]
        hit = find_landmark(layers, visible, text)
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

    # -- export ---------------------------------------------------------------
    def export_image(self) -> QImage | None:
        """The current view at the image's native resolution, overlays and legend burned in."""
        cur = self.cur
        m = cur.modality(self.view.modality) if cur.dp else None
        img = cur.images.get(m) if m else None
        if img is None:
            return None
        legends = cur.legends()
        class_layers = {lg.layer: (cur.images[lg.modality], lg) for lg in legends.values()
                        if lg.modality != m and cur.images.get(lg.modality) is not None}
        highlight = next((it.highlight for it in self.canvas.overlay_items.values() if it.highlight), None)
        return render_prepared(img, legends.get(m), cur.ann.layers if cur.ann else {}, class_layers, self.view,
                               burn_legend=True, highlight=highlight)

    def save_png_dialog(self) -> None:
        image = self.export_image()
        if image is None:
            self.statusBar().showMessage("Nothing to save yet", 3000)
            return
        m = self.cur.modality(self.view.modality)
        default = self.cur.dp.id.replace("/", "_").rsplit(".", 1)[0] + f"_{m}.png"
        path, _ = QFileDialog.getSaveFileName(self, "Save view as PNG", default, "PNG images (*.png)")
        if path:
            ok = image.save(path, "PNG")
            self.statusBar().showMessage(f"Saved {path}" if ok else f"Could not write {path}", 5000)

    # -- misc -----------------------------------------------------------------
    def show_shortcuts(self) -> None:
        shortcuts.ShortcutsDialog(self.view.layers, self).exec()

    def cache_size_dialog(self) -> None:
        mb, ok = QInputDialog.getInt(self, "Cache size", "Decoded image cache (MB):",
                                     self.cache.max_bytes >> 20, 64, 1 << 20)
        if ok:
            self.cache.resize(mb << 20)
            self.settings.cache_bytes = mb << 20

    def dragEnterEvent(self, event) -> None:
        if any(u.isLocalFile() and os.path.isdir(u.toLocalFile()) for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile() and os.path.isdir(u.toLocalFile())]
        if paths:
            event.acceptProposedAction()
            self.open_paths(paths)

    def closeEvent(self, event) -> None:
        if self._keep_layout:
            self.settings.save_window_layout(self.saveGeometry(), self.saveState())
        self.loader.shutdown()
        super().closeEvent(event)

