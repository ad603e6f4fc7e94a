"""PyInstaller entry point: the same command line as the `dgviewer` console script."""
import multiprocessing
import sys

from dgviewer.cli import main

if __name__ == "__main__":
    # `dgviewer validate` and the QA panel spawn worker processes; a frozen app must route them here.
    multiprocessing.freeze_support()
    sys.exit(main())
