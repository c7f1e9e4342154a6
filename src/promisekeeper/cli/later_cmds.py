"""Commands for helping later: later, book, slots, cancel-slot. Each parses its options, reads the
user's busy time once (`cli/busy.py`, before the store is opened), calls `helplater`, and prints
through `views/slots.py`."""

from __future__ import annotations

from datetime import timedelta

import typer

from ..core import slots
from ..dates import format_local, parse_duration, parse_when
from ..errors import BadInput
from ..views.contract import dump_json, promise_json, request_json
from ..views.lines import plural, safe
from ..views.messages import quoted
from .busy import busy_intervals
from .common import JSON_HELP, check_id, hint, say, state
from .core import app
from .heads_up import QUIET_HELP, heads_up, tell

REQUEST_HELP = "The request's id (shown by `pk later` and `pk slots`)."


def read_need(text: str | None, default: timedelta) -> timedelta:
    if text is None:
        return default
    stripped = text.strip()
    if stripped.startswith("-"):
        raise BadInput(f"the time needed can't be negative: {stripped}")
    try:
        return parse_duration(stripped)
    except ValueError as exc:
        raise BadInput(f"--need: {exc}") from None


@app.command("later")
def later_cmd(
    ctx: typer.Context,
    title: str = typer.Argument(..., help="What they need help with, in a few words."),
    for_: str = typer.Option(..., "--for", help="The colleague asking for help."),
    team: str | None = typer.Option(None, "--team", help="Their team or department."),
    need: str | None = typer.Option(
        None, "--need", help="How long it takes: 30m, 1h, 1h30m (default: work.slot, 30m)."
    ),
    reason: str | None = typer.Option(
        None, "--reason", "-r", help="Why not now, said honestly in the message."
    ),
    within: str = typer.Option(
        slots.DEFAULT_WITHIN, "--within", help="How far ahead to look: 2d (working days), 1w, 2w."
    ),
    after: str | None = typer.Option(
        None, "--after", help="Offer nothing before WHEN (e.g. 'tomorrow 10am')."
    ),
    offer: int = typer.Option(3, "--offer", help="How many slots to offer (1-10)."),
    message_only: bool = typer.Option(
        False, "--message-only", help="Print only the message, plain (pipe it to a clipboard)."
    ),
    refresh: bool = typer.Option(
        False, "--refresh", help="Read your calendars now instead of the cached copy."
    ),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Can't help now? Offer free slots in your working time and draft a courteous message.

    The request is recorded with the offered times; book the one they pick with `pk book`.
    Times you are busy in your calendars ([calendar] busy in config.toml) are never offered.

    Examples:

        pk later "Walk Dana through the expense form" --for Dana --need 45m \\
                 --reason "I'm with a customer until noon"

        pk later "Review the draft" --for Sam --within 2d --after "tomorrow 10am" --offer 5

        pk later "Budget questions" --for Lee --message-only | wl-copy
    """
    from ..core import helplater
    from ..views import messages
    from ..views.slots import print_request, safe_lines

    st = state(ctx)
    if json_ and message_only:
        raise BadInput("choose one of --json and --message-only")
    work = st.settings.work
    duration = read_need(need, work.slot)
    start_after = parse_when(after, st.now, st.settings) if after else None
    window = helplater.offer_window(st.now, work, st.tz, within, start_after)
    busy = busy_intervals(st, *window, refresh=refresh)
    with st.store().write("later") as tx:
        helplater.expire(tx, st.now)
        rid, record = helplater.create(
            tx,
            title=title,
            person=for_,
            team=team,
            need=duration,
            reason=reason,
            now=st.now,
            work=work,
            tz=st.tz,
            within=within,
            after=start_after,
            offer=offer,
            busy=busy,
        )
    message = safe_lines(messages.help_offer(record, st.tz, st.now))
    if message_only:
        typer.echo(message)
        return
    if json_:
        dump_json(request_json(rid, record, st.now))
        return
    print_request(st.out, rid, record, st.tz, st.now)
    if len(record["proposed"]) < offer:
        found = len(record["proposed"])
        fit = f"{plural(found, 'free slot')} {'fits' if found == 1 else 'fit'}"
        hint(st, f"Only {fit}; --within widens the search.")
    say(st, "")
    say(st, "Message to send:")
    say(st, "")
    say(st, message)
    hint(
        st,
        f"When {safe(record['person'])} picks one: pk book {rid} N  "
        f'(or a time they suggest: pk book {rid} "thu 4pm")',
    )


@app.command("book")
def book_cmd(
    ctx: typer.Context,
    rid: int = typer.Argument(..., metavar="REQUEST", help=REQUEST_HELP),
    choice: str = typer.Argument(
        ..., metavar="OPTION|WHEN", help="The offered option's number, or a start time: 'thu 4pm'."
    ),
    force: bool = typer.Option(
        False, "--force", help="Book even if it clashes or is outside working hours (recorded)."
    ),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
    quiet: bool = typer.Option(False, "--quiet", "-q", help=QUIET_HELP),
) -> None:
    """Book the slot agreed: an offered option, or a time the colleague proposed.

    Every booking is checked against the slots already booked, the meetings in your calendars and
    your working hours; a clash is refused and named, unless --force (the clash is recorded with
    the booking). Booking creates an open promise to the colleague, due at the end of the slot.
    Booking a booked request moves it. Like `pk add`, a one-line heads-up says when the promises
    and slots due by then need more than your working time (--quiet: none).

    Examples:

        pk book 12 2

        pk book 12 "thu 4pm" --force
    """
    from ..core import helplater
    from ..views import messages

    st = state(ctx)
    check_id(rid, "request")
    option = int(choice) if choice.strip().isdigit() else None
    # A past time is the domain's to refuse, with a booking hint rather than the --past one.
    start = None if option is not None else parse_when(choice, st.now, st.settings)
    busy = []
    if st.settings.calendar.busy:
        # The slot is known before the store is locked, so the calendars are read outside it.
        slot = helplater.wanted_slot(helplater.load(st.store().read(), rid), rid, option, start)
        gap = st.settings.work.buffer
        busy = busy_intervals(st, slot.start - gap, slot.end + gap)
    with st.store().write("book") as tx:
        booking = helplater.book(
            tx,
            rid,
            now=st.now,
            work=st.settings.work,
            tz=st.tz,
            option=option,
            start=start,
            force=force,
            busy=busy,
        )
        clash_text = helplater.clash_words(
            tx,
            booking.clashes,
            st.tz,
            st.now,
            helplater.interval(booking.request["slot"]),
            st.settings.work.buffer,
        )
        warning = None if quiet else heads_up(st, tx, booking.promise.due, busy)
    record, promise = booking.request, booking.promise
    if json_:
        dump_json(
            {
                "request": request_json(rid, record, st.now),
                "promise": promise_json(promise, st.now),
                "heads_up": warning,
            }
        )
        return
    when = helplater.span_words(helplater.interval(record["slot"]), st.tz, st.now)
    verb = "Re-booked" if booking.rebooked else "Booked"
    say(
        st,
        f"{verb} #{rid} {quoted(safe(record['title']))} with {safe(record['person'])}: {when} "
        f"(promise #{promise.id}, due {format_local(promise.due, st.tz, now=st.now)})",
    )
    if record.get("forced") and force:
        hint(st, f"Booked anyway, recorded as forced: {clash_text or 'outside working hours'}.")
    confirmation = messages.booking_confirmation(record["person"], when)
    hint(st, f'Tell {safe(record["person"])}: "{safe(confirmation)}"')
    tell(st, warning)


@app.command("slots")
def slots_cmd(
    ctx: typer.Context,
    free: bool = typer.Option(False, "--free", help="Only the free working time left."),
    week: bool = typer.Option(
        False, "--week", help="The next 7 days instead of the rest of this week."
    ),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Today's and this week's booked help slots, your meetings (shown as busy), the free time
    left, and requests awaiting an answer (past, unanswered offers show as expired).

    Examples:

        pk slots

        pk slots --free --week
    """
    from ..core import helplater
    from ..views.contract import plan_json
    from ..views.slots import print_plan

    st = state(ctx)
    today = st.now.astimezone(st.tz).date()
    last = today + timedelta(days=6 if week else 6 - today.weekday())
    days = [today + timedelta(days=n) for n in range((last - today).days + 1)]
    records = helplater.requests(st.store().read())
    busy = busy_intervals(st, *helplater.days_span(days, st.tz)) if days else []
    plans = helplater.plan(records, st.settings.work, st.tz, st.now, days, busy)
    waiting = helplater.pending(records, st.now)
    expired = helplater.expired_recently(records, st.now)
    if json_:
        dump_json(plan_json(plans, waiting, st.now, today, last, expired))
        return
    if not plans and not waiting and not expired:
        say(st, "No working time and nothing booked in these days (pk slots --week looks ahead).")
        return
    if free:
        waiting = expired = []
    print_plan(st.out, plans, waiting, st.tz, st.now, free_only=free, expired=expired)


@app.command("cancel-slot")
def cancel_slot_cmd(
    ctx: typer.Context,
    rid: int = typer.Argument(..., metavar="REQUEST", help=REQUEST_HELP),
    reason: str | None = typer.Option(None, "--reason", "-r", help="Why (kept in the history)."),
    json_: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Cancel a help request: its time is free again, its promise dropped, its history kept.

    Example:

        pk cancel-slot 12 --reason "Dana solved it"
    """
    from ..core import helplater

    st = state(ctx)
    with st.store().write("cancel-slot") as tx:
        record = helplater.cancel(tx, check_id(rid, "request"), reason, st.now)
    if json_:
        dump_json(request_json(rid, record, st.now))
        return
    freed = ""
    if record.get("slot"):
        freed = f"; {helplater.span_words(helplater.interval(record['slot']), st.tz, st.now)}"
        freed += " is free again"
    say(
        st,
        f"Cancelled #{rid} {quoted(safe(record['title']))} with {safe(record['person'])}{freed}.",
    )
