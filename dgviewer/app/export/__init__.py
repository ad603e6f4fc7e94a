"""Annotated images written to files, drawn by the viewer's own code (:func:`dgviewer.app.render.render_annotated`).

drawing: which layers and image to draw · selection: which datapoints · pipeline: decode, draw,
encode in order · png: QImage → PNG file (atomically) · folder / contact_sheet: where the images go.
``dgviewer render`` is a thin front over these; benchmarks/bench_render.py times them.
"""
