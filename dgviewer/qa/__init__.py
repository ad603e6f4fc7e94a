"""Dataset checks (``dgviewer validate`` and the viewer's QA panel): findings with severity, check, datapoint.

    from dgviewer.qa import run_checks
    result = run_checks(dgviewer.load(path), images=True, progress=lambda done, total: ...)
    result.findings, result.by_datapoint(), result.counts(), result.errors
"""
from .common import Settings
from .findings import CHECKS, ERROR, INFO, Check, Finding
from .runner import QAResult, check_datapoint, run_checks

__all__ = ["run_checks", "check_datapoint", "QAResult", "Finding", "Check", "CHECKS", "Settings",
           "ERROR", "INFO"]
