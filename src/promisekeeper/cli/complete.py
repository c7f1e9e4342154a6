"""Tab completion of values from the store: promise ids and people's names.

Shells run `pk` with `_PK_COMPLETE` set on each Tab (see `completion_gen.py`); these callbacks
answer from a read of the store. A completion must never print an error into the command line
being edited, so any failure completes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import typer

from ..model import Promise
from ..paths import db_path
from ..storage.store import REQUESTS, Store

Completion = tuple[str, str]


def _promises(ctx: typer.Context) -> list[Promise]:
    # The root callback does not run while completing; --db is only in the parsed params.
    db = ctx.find_root().params.get("db")
    return Store(db_path(db)).read().promises()


def _ids(wanted: Callable[[Promise], bool]) -> Callable[[typer.Context, str], list[Completion]]:
    def complete(ctx: typer.Context, incomplete: str) -> list[Completion]:
        try:
            found = [p for p in _promises(ctx) if wanted(p)]
        except Exception:  # see the module docstring
            return []
        found.sort(key=lambda p: p.due)
        return [(str(p.id), p.title[:60]) for p in found if str(p.id).startswith(incomplete)]

    return complete


complete_open_ids = _ids(lambda p: p.is_open)
complete_closed_ids = _ids(lambda p: not p.is_open)
complete_any_ids = _ids(lambda p: True)


def complete_people(ctx: typer.Context, incomplete: str) -> list[str]:
    """Everyone you have promised something to, or who owes you (and help-later requesters)."""
    try:
        view = Store(db_path(ctx.find_root().params.get("db"))).read()
        names = {p.person for p in view.promises()}
        names.update(
            r["person"] for _, r in view.records(REQUESTS) if isinstance(r.get("person"), str)
        )
    except Exception:  # see the module docstring
        return []
    return sorted(n for n in names if n.startswith(incomplete))
