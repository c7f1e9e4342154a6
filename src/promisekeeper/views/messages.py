"""Every message drafted for the user to send to a colleague, in one place: tone is a product
decision (`DOMAIN.md`: courteous, specific about dates and times, brief, honest about the reason,
"please" and "thank you"), so it is read and changed here and nowhere else.

The functions return plain text with the stored text as it is; the CLI makes it inert on output.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from ..dates import format_local
from ..model import Promise
from ..storage.files import Record


def quoted(title: str) -> str:
    """A title inside a sentence, quoted the same way everywhere: typographic quotes, so a
    title with its own quotes or apostrophes (`Dana's "big" report`) reads as typed."""
    return f"\u201c{title}\u201d"


def help_offer(record: Record, tz: tzinfo, now: datetime) -> str:
    """The note to send: courteous, honest about why not now, and specific about when."""
    from ..core import helplater  # help-later words: only these drafts need them

    need = helplater.duration_words(int(record["need_minutes"]))
    offers = [helplater.interval(p) for p in record["proposed"]]
    reason = (record.get("reason") or "").strip().rstrip(".")
    why = f"I can't help right now ({reason})" if reason else "I can't help right away"
    if len(offers) == 1:
        lead, ask = "at this time", "Please let me know if that suits you, or suggest another time."
    else:
        lead = "at one of these times"
        ask = "Please let me know which one suits you best, or suggest another time."
    lines = [
        f"Hi {record['person']},",
        "",
        f"thank you for asking me about {quoted(record['title'])}. {why}, but I will gladly "
        f"give it {need} {lead}:",
        "",
    ]
    for number, offer in enumerate(offers, 1):
        zone = offer.start.astimezone(tz).tzname() or ""
        lines.append(f"{number}. {helplater.span_words(offer, tz, now)} {zone}".rstrip())
    lines += ["", f"{ask} Thank you for your patience!"]
    return "\n".join(lines)


def booking_confirmation(person: str, when: str) -> str:
    """After a colleague picked one of the offered times."""
    return f"Thank you, {person} — {when} it is. See you then!"


def move_notice(
    promise: Promise,
    before: datetime,
    reason: str,
    tz: tzinfo,
    now: datetime,
    slots: tuple[Record, Record] | None = None,
) -> str:
    """Renegotiating openly: the old and new time, the honest reason, an apology. For a help
    slot (`slots`: its old and new {start, end}), the time we meet: the new start and end."""
    from ..core import helplater  # help-later words: only these drafts need them

    if slots is not None:
        old_slot, new_slot = (helplater.interval(s) for s in slots)
        return (
            f"Hi {promise.person}, I need to move our time for {quoted(promise.title)} from "
            f"{helplater.span_words(old_slot, tz, now)} to "
            f"{helplater.span_words(new_slot, tz, now)}: {reason.strip()}. Sorry for the "
            f"change, and thank you for your patience."
        )
    old = format_local(before, tz, now=now)
    new = format_local(promise.due, tz, now=now)
    return (
        f"Hi {promise.person}, I need to move {quoted(promise.title)} from {old} to {new}: "
        f"{reason.strip()}. Sorry for the change, and thank you for your patience."
    )


def thank_you(promise: Promise, tz: tzinfo, now: datetime) -> str:
    """A short thank-you naming what they delivered and when; courteous, specific, brief."""
    when = format_local(promise.done_at or now, tz, now=now)
    on_time = " — right on time" if promise.kept_on_time else ""
    message = (
        f"Hi {promise.person}, thank you for {quoted(promise.title)} (delivered {when}{on_time})."
    )
    if promise.thank_note:
        note = promise.thank_note.strip().rstrip(".!")
        message += f" {note[:1].upper()}{note[1:]}!"
    return message + " I appreciate it."


def nudge(promise: Promise, tz: tzinfo, now: datetime) -> str:
    """A follow-up on something a colleague owes me: the date they gave, a question rather than
    a reproach, a way to agree a new date, please and thank you."""
    agreed = format_local(promise.due, tz, now=now)
    what = quoted(promise.title)
    if promise.due <= now:
        return (
            f"Hi {promise.person}, could you please let me know where {what} stands? We had "
            f"agreed on {agreed}. If another date works better for you, just tell me which one "
            "and I'll plan around it. Thank you!"
        )
    return (
        f"Hi {promise.person}, a quick check on {what}, which we agreed for {agreed}: "
        "please let me know if that date still works for you. Thank you!"
    )
