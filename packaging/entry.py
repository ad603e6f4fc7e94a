"""PyInstaller entry point: the same command line as the `dgviewer` console script."""
import sys

from dgviewer.cli import main

if __name__ == "__main__":
    sys.exit(main())
