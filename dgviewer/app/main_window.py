"""The main window: composes the canvas, the panels and the menus around one headless :class:`Session`.

Every panel takes the session and binds to its signals and to ``session.view.events``; the
window only places them, builds the actions (from :mod:`shortcuts` and the open dataset's
layer catalogue) and runs the dialogs.
"""
from __future__ import annotations

import os

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QDockWidget, QFileDialog, QMainWindow, QMenu, QVBoxLayout, QWidget

from ..core.review import FAIL, PASS
from . import dialogs, shortcuts
from .canvas import Canvas
from .canvas_binding import CanvasBinding
from .compare import CompareView
from .geometry import PANEL_MIN_WIDTH, TREE_MIN_WIDTH, fit_to_screen
from .grid import GridPanel
from .inspector import Inspector
from .layer_panel import LayerPanel
from .legend import LegendPanel
from .metrics_panel import MetricsPanel
from .modality_bar import ModalityBar
from .playback_bar import PlaybackBar
from .probe import ProbeLabel
from .qa_panel import QAPanel
from .review_panel import ReviewBar
from .session import Session
from .start_page import StartPage
from .settings import Settings
from .statistics_panel import StatisticsPanel
from .status_line import StatusLine
from .timeline_widget import TimelineWidget
from .tree_panel import TreePanel
from .view3d import View3DPanel

_LEFT, _RIGHT, _BOTTOM = (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea,
                          Qt.DockWidgetArea.BottomDockWidgetArea)


class MainWindow(QMainWindow):
    def __init__(self, settings: Settings | None = None, cache_bytes: int | None = None, restore_layout: bool = True):
        """``restore_layout=False`` (screenshots, the self-test): the default layout, and the user's settings
        (layout, recent datasets) are left untouched."""
        super().__init__()
        self.settings = settings or Settings()
        self.session = Session(cache_bytes or self.settings.cache_bytes, parent=self)
        self._overlay_actions: list[QAction] = []
        self.setWindowTitle("dgviewer")
        self.setAcceptDrops(True)
        self._build_widgets()
        self._build_menus()
        self.session.dataset_opened.connect(self._dataset_opened)
        self.session.modalities_found.connect(self._offer_modalities)
        self.session.current_changed.connect(self._check_modality)
        self.session.updated.connect(self._check_modality)
        self.session.view.events.layers.connect(self._build_overlay_actions)
        self.session.view.events.styles.connect(self._check_overlays)
        self._keep_layout = restore_layout
        geometry, state = self.settings.window_layout() if restore_layout else (None, None)
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        if isinstance(state, QByteArray):
            self.restoreState(state)
        fit_to_screen(self, restored=isinstance(geometry, QByteArray))

    # -- construction ---------------------------------------------------------------
    def _dock(self, title: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(title.lower())
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_widgets(self) -> None:
        s = self.session
        self.canvas = Canvas()
        self.picture = CanvasBinding(s, self.canvas)
        self.bar = ModalityBar(s)
        self.review = ReviewBar(s)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.start = StartPage(s)
        self.start.set_recent(self.settings.recent())
        self.start.open_clicked.connect(self.open_dialog)
        self.start.recent_chosen.connect(self.open_paths)
        for widget in (self.bar, self.review):
            layout.addWidget(widget)
            widget.hide()  # until a dataset is open
        layout.addWidget(self.start, 1)
        layout.addWidget(self.canvas, 1)
        self.canvas.hide()
        self.compare = CompareView(s)  # in the canvas's place while a compare mode is on
        layout.addWidget(self.compare, 1)
        self.compare.hide()
        self.compare.active_changed.connect(lambda on: self.show_grid(False) if on else self._show_picture())
        self.grid = GridPanel(s)  # in the picture's place while shown (View ▸ Thumbnail grid)
        layout.addWidget(self.grid, 1)
        self.grid.hide()
        self.grid.open_requested.connect(self._open_from_grid)
        self.setCentralWidget(central)
        self.canvas.glw.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.canvas.glw.setFocus()
        self.tree, self.layers, self.legend = TreePanel(s), LayerPanel(s), LegendPanel(s)
        self.inspector, self.qa = Inspector(s), QAPanel(s)
        self.metrics, self.timeline = MetricsPanel(s), TimelineWidget(s)
        self.tree_dock = self._dock("Datapoints", self.tree, _LEFT)
        self.layers_dock = self._dock("Layers", self.layers, _RIGHT)
        self.legend_dock = self._dock("Legend", self.legend, _RIGHT)
        self.inspector_dock = self._dock("Inspector", self.inspector, _RIGHT)
        self.tabifyDockWidget(self.legend_dock, self.inspector_dock)
        self.inspector_dock.raise_()
        # The picture gives way to the tree and the panels, never the reverse (rows would read "e…").
        self.tree_dock.setMinimumWidth(TREE_MIN_WIDTH)
        for dock in (self.layers_dock, self.legend_dock, self.inspector_dock):
            dock.setMinimumWidth(PANEL_MIN_WIDTH)
        self.resizeDocks([self.tree_dock, self.layers_dock], [300, 330], Qt.Orientation.Horizontal)
        self.qa_dock = self._dock("QA", self.qa, _BOTTOM)
        self.qa_dock.hide()  # View ▸ QA; a dataset opens with the picture as large as it can be
        self.metrics_dock = self._dock("Metrics", self.metrics, _RIGHT)
        self.tabifyDockWidget(self.inspector_dock, self.metrics_dock)
        self.playback_bar = PlaybackBar(s)
        timeline = QWidget()
        column = QVBoxLayout(timeline)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.timeline, 1)
        column.addWidget(self.playback_bar)
        self.timeline_dock = self._dock("Timeline", timeline, _BOTTOM)
        # Perception only: shown (with their View menu entries) for datasets that have the data.
        for panel, dock in ((self.metrics, self.metrics_dock), (self.timeline, self.timeline_dock)):
            panel.applicable.connect(dock.setVisible)
            panel.applicable.connect(dock.toggleViewAction().setVisible)
            dock.hide()
        # View ▸ Statistics and View ▸ 3D view: tabs beside the Inspector, closed until asked for (the 3D
        # one loads OpenGL only then).
        self.stats, self.view3d = StatisticsPanel(s), View3DPanel(s)
        self.stats_dock = self._dock("Statistics", self.stats, _RIGHT)
        self.view3d_dock = self._dock("3D view", self.view3d, _RIGHT)
        for dock in (self.stats_dock, self.view3d_dock):
            self.tabifyDockWidget(self.inspector_dock, dock)
            dock.hide()
        self.inspector_dock.raise_()
        # Panels whose content grows with the data (long ids, metric names, findings) get a fixed least
        # width: otherwise one long line widens the window past a laptop screen.
        for panel in (self.legend, self.inspector, self.metrics, self.qa, self.timeline, self.stats, self.view3d):
            panel.setMinimumWidth(PANEL_MIN_WIDTH)
        self.probe = ProbeLabel(s)
        self.statusBar().addWidget(self.probe, 1)
        self.status_line = StatusLine(s, self.statusBar())
        self.tree.filter.returnPressed.connect(self.canvas.glw.setFocus)
        self.bar.fit_clicked.connect(self.canvas.fit)
        self.bar.one_to_one_clicked.connect(self.canvas.one_to_one)
        self.bar.fit_clicked.connect(self.compare.fit)
        self.bar.one_to_one_clicked.connect(self.compare.one_to_one)
        self.canvas.hovered.connect(self.probe.hover)
        self.canvas.hovered.connect(self.picture.hover)

    def _action(self, ident: str, key: str, text: str, slot, menu: QMenu) -> QAction:
        act = QAction(text, self)
        act.setObjectName(ident)
        act.setShortcut(QKeySequence(key))
        act.triggered.connect(slot)
        menu.addAction(act)
        self.addAction(act)  # shortcuts work while the menu bar is hidden too
        return act

    def _build_menus(self) -> None:
        s, picture = self.session, self.picture
        mb = self.menuBar()
        file_menu, go, view = mb.addMenu("&File"), mb.addMenu("&Go"), mb.addMenu("&View")
        self.overlays_menu, review, help_menu = mb.addMenu("&Overlays"), mb.addMenu("&Review"), mb.addMenu("&Help")
        slots = {
            "open": self.open_dialog, "open_url": lambda: dialogs.open_url(self), "reload": s.reload, "save_png": lambda: dialogs.save_view(self), "quit": self.close,
            "filter": lambda: (self.tree.filter.setFocus(), self.tree.filter.selectAll()),
            "next": lambda: s.step(1), "previous": lambda: s.step(-1),
            "next_camera": lambda: s.group_step("camera", 1), "previous_camera": lambda: s.group_step("camera", -1),
            "next_scene": lambda: s.group_step("scene", 1), "previous_scene": lambda: s.group_step("scene", -1),
            "goto_datapoint": lambda: dialogs.goto_datapoint(self),
            "fit": lambda: (self.canvas.fit(), self.compare.fit()),
            "one_to_one": lambda: (self.canvas.one_to_one(), self.compare.one_to_one()),
            "labels": picture.toggle_labels,
            "goto_landmark": lambda: dialogs.goto_landmark(self), "depth_auto": lambda: setattr(s.view, "depth_levels", None),
            "shortcuts": lambda: shortcuts.ShortcutsDialog(s.view.layers, self).exec(),
            "review_pass": lambda: s.decide(PASS), "review_fail": lambda: s.decide(FAIL),
            "review_flag": self.review.flag_dialog, "review_clear": s.clear_review,
            "next_unreviewed": s.next_unreviewed, "grid": lambda: self.show_grid(self.grid.isHidden()),
            "play": s.playback.toggle, "slower": s.playback.slower, "faster": s.playback.faster,
        }
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        for ident, key, text in shortcuts.FILE:
            if ident == "quit":  # last, after a separator
                file_menu.addAction("Compare with…", self.compare.ask_and_compare)
                file_menu.addAction("Cache size…", lambda: dialogs.cache_size(self))
                file_menu.addSeparator()
            self._action(ident, key, text, slots[ident], file_menu)
        for ident, key, text in shortcuts.NAVIGATION:
            self._action(ident, key, text, slots[ident], go)
        go.addSeparator()
        for ident, key, text in shortcuts.PLAYBACK:
            self._action(ident, key, text, slots[ident], go)
        group = QActionGroup(self)
        self.modality_actions: dict[str, QAction] = {}
        for key, m in shortcuts.modality_keys():
            act = self._action(f"modality_{m}", key, m.capitalize(),
                               lambda _=False, m=m: self._choose_modality(m), view)
            act.setCheckable(True)
            group.addAction(act)
            self.modality_actions[m] = act
        view.addSeparator()
        for ident, key, text in shortcuts.VIEW:
            self._action(ident, key, text, slots[ident], view)
        self.grid_action = self.findChild(QAction, "grid")
        self.grid_action.setCheckable(True)
        self._action("clear_highlight", "Esc", "Clear landmark highlight", picture.clear_highlight, view)
        view.addAction("Compare modalities", self.compare.show_modalities)
        view.addAction("Single view", self.compare.close_compare)
        view.addSeparator()
        for dock in (self.tree_dock, self.layers_dock, self.legend_dock, self.inspector_dock, self.qa_dock,
                     self.metrics_dock, self.timeline_dock, self.stats_dock, self.view3d_dock):
            view.addAction(dock.toggleViewAction())
            # A dock tabbed behind another (Statistics, 3D view) comes to the front when asked for.
            dock.toggleViewAction().triggered.connect(lambda on, d=dock: on and d.raise_())
        self.metrics_dock.toggleViewAction().setVisible(False)
        self.timeline_dock.toggleViewAction().setVisible(False)
        self.review.set_actions({ident: self._action(ident, key, text, slots[ident], review)
                                 for ident, key, text in shortcuts.REVIEW})
        review.addSeparator()
        for ident, key, text in shortcuts.REVIEW_UNDO:
            self._action(ident, key, text, s.undo_review, review)
        self.advance_action = review.addAction("Advance after a decision")
        self.advance_action.setCheckable(True)
        self.advance_action.setChecked(self.settings.advance_after_review)
        self.advance_action.toggled.connect(self._set_advance)
        s.advance = self.settings.advance_after_review
        self._build_overlay_actions()
        for ident, key, text in shortcuts.HELP:
            self._action(ident, key, text, slots[ident], help_menu)

    def _build_overlay_actions(self, *_) -> None:
        """One action per toggle key the open dataset's readers declare (replacing the previous dataset's)."""
        for act in self._overlay_actions:
            self.removeAction(act)
            act.deleteLater()
        self.overlays_menu.clear()
        self._overlay_actions = []
        for key, text, names in self.session.view.layers.toggles():
            act = self._action(f"toggle_{names[0]}", key, text, lambda _=False, n=names: self._toggle(n),
                               self.overlays_menu)
            act.setCheckable(True)
            act.setData(names)
            self._overlay_actions.append(act)
        self._check_overlays()

    def _toggle(self, names) -> None:
        self.session.toggle_layers(names)
        self._check_overlays()  # triggering flipped the check mark, whatever the toggle did

    def _check_overlays(self, *_) -> None:
        """A toggle is checked while any layer of its group is visible."""
        view = self.session.view
        for act in self._overlay_actions:
            act.setChecked(any(view.style(n).visible for n in act.data()))

    # -- opening ----------------------------------------------------------------------
    def open_paths(self, paths: list[str], goto: str | None = None) -> None:
        """Open ``paths`` (merged): what File ▸ Open folder, Open recent, a drop and the command line do."""
        self.session.open(paths, goto)

    def open_dialog(self) -> None:
        recent = self.settings.recent()  # start beside the last dataset opened, not in the process's folder
        start = os.path.dirname(recent[0][0]) if recent else os.path.expanduser("~")
        path = QFileDialog.getExistingDirectory(self, "Open dataset folder", start)
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

    def _dataset_opened(self, _dataset) -> None:
        paths = self.session.paths
        if self._keep_layout:
            self.settings.add_recent(paths)
        self.start.hide()
        for widget in (self.bar, self.review):
            widget.show()
        self.setWindowTitle("dgviewer — " + " + ".join(os.path.basename(p) for p in paths))
        self.show_grid(self.grid_action.isChecked())  # and the focus where arrows navigate, not in the filter box

    def _show_picture(self) -> None:
        """What takes the picture's place: the thumbnail grid, the compare panes, or the canvas."""
        opened = self.session.dataset is not None
        grid = opened and self.grid_action.isChecked()
        compare = opened and not grid and self.compare.active
        self.canvas.setVisible(opened and not grid and not compare)
        self.compare.setVisible(compare)
        self.grid.setVisible(grid)

    def show_grid(self, on: bool) -> None:
        """The thumbnail grid in the picture's place, or the picture (the grid needs an open dataset)."""
        self.grid_action.setChecked(on and self.session.dataset is not None)
        self._show_picture()
        (self.grid.view if self.grid.isVisible() else self.canvas.glw).setFocus()

    def _open_from_grid(self, dp) -> None:
        if dp is not self.session.cur.dp:
            self.session.show_datapoint(dp)
        self.show_grid(False)

    def _set_advance(self, on: bool) -> None:
        self.session.advance = self.settings.advance_after_review = on

    def _offer_modalities(self, present: set[str]) -> None:
        """Modality actions only for what some datapoint of the open dataset has (their keys go with them)."""
        for m, act in self.modality_actions.items():
            act.setVisible(m in present)

    def _choose_modality(self, modality: str) -> None:
        self.session.set_modality(modality)
        self._check_modality()  # refused: the action of the modality on screen stays checked

    def _check_modality(self, *_) -> None:
        act = self.modality_actions.get(self.session.modality)
        if act is not None and not act.isChecked():
            act.setChecked(True)

    # -- window events ------------------------------------------------------------------
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
        self.qa.cancel()
        self.compare.shutdown()
        self.stats.cancel()
        self.session.shutdown()
        super().closeEvent(event)
