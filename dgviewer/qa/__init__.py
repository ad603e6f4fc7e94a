"""Dataset checks (``dgviewer validate`` and the viewer's QA panel): findings with severity, check, datapoint.

    from dgviewer.qa import run_checks
    result = run_checks(dgviewer.load(path), images=True, progress=lambda done, total: ...)
    result.findings, result.by_datapoint(), result.counts(), result.errors

The checks themselves are declared by the readers (``Reader.checks``) and by
:mod:`dgviewer.core.checks`; this package runs them and writes the reports.
"""
from ..core.checks import Settings
from ..core.findings import ERROR, INFO, Check, Finding
from .catalog import CHECKS
from .runner import QAResult, check_datapoint, run_checks

__all__ = ["run_checks", "check_datapoint", "QAResult", "Finding", "Check", "CHECKS", "Settings",
           "ERROR", "INFO"]
