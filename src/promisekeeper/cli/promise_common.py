"""What the commands that log a promise (`ledger_cmds`) and those that change one (`change_cmds`)
share: the id argument's help, who-and-which-way, and the line (or JSON) that says it was saved."""

from __future__ import annotations

from ..dates import describe_due
from ..errors import BadInput
from ..model import Direction, Promise
from ..views.contract import dump_json, promise_json
from ..views.lines import safe
from ..views.messages import quoted
from .common import State, say
from .heads_up import tell

ID_HELP = "The promise's id (shown in `pk list`)."
# The commands whose JSON carries `heads_up` (null when there is none).
HEADS_UP_VERBS = frozenset({"Promised", "Waiting on", "Moved"})


def person_and_direction(to: str | None, from_: str | None) -> tuple[str, Direction]:
    if (to is None) == (from_ is None):
        raise BadInput("say who: --to PERSON (you promised them) or --from PERSON (they owe you)")
    return (to, "to") if to is not None else (from_, "from")  # type: ignore[return-value]


def echo_saved(
    st: State, verb: str, promise: Promise, json_: bool, warning: str | None = None
) -> None:
    """The result line (or JSON), then a capacity heads-up (on stderr; in the JSON as
    `heads_up`) for the commands that check capacity."""
    if json_:
        data = promise_json(promise, st.now)
        dump_json(data if verb not in HEADS_UP_VERBS else {**data, "heads_up": warning})
        return
    arrow = "→" if promise.direction == "to" else "←"
    say(
        st,
        f"{verb} #{promise.id} {quoted(safe(promise.title))} {arrow} {safe(promise.person)}, "
        f"{describe_due(promise.due, st.now, st.tz)}",
    )
    tell(st, warning)
