"""Format readers: one package per format family behind :class:`~dgviewer.formats.base.Reader`;
``registry`` finds them (built-ins plus the ``dgviewer.formats`` entry-point group) and holds ``load()``."""
