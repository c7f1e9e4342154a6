"""`pk doctor`: examine the store and the files beside it; repair a copy; restore the backup.

Three concerns, three modules: `examine` (read-only checks and the Report), `repair` (a repaired
copy beside the store, never over it) and `restore` (the rolling `.bak` back under the lock);
`common` holds what they share. The names callers use are re-exported here.
"""

from __future__ import annotations

from .common import record_problem
from .examine import INDEX_SUFFIXES, Finding, Level, Report, examine, orphan_temps
from .repair import Repair, repair
from .restore import Restore, restore

__all__ = [
    "INDEX_SUFFIXES",
    "Finding",
    "Level",
    "Repair",
    "Report",
    "Restore",
    "examine",
    "orphan_temps",
    "record_problem",
    "repair",
    "restore",
]
