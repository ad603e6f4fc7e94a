"""Qt-free half of dgviewer: the model, geometry, imaging, cache and QA logic."""
