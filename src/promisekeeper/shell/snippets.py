"""`pk init bash|zsh|fish`: the snippets that put the reminder segment into a shell prompt.

bash ≥ 5 and zsh compute the segment themselves from the prompt index (`prompt_index.py`) with
builtins only — `$EPOCHSECONDS`, `read`, `[[ -ot ]]`, arithmetic — so a prompt starts no process:
the index is parsed again only when its first line changes, and each count is a binary search over
sorted deadlines. fish and bash 4 call `pk prompt`. The rules are the same as `prompt.py`'s, and
tests run the snippets in real shells against `pk prompt`.

Every number read from the index is checked to be plain digits before it reaches shell arithmetic,
where anything else could run commands. The snippets add to the prompt without replacing it: the
segment is a prefix that is removed and re-added on each prompt (so another hook that rebuilds the
prompt does not lose it, and it is never added twice), through PROMPT_COMMAND / precmd hooks that
keep the ones already there, or around fish's existing right prompt. `PK_NOW_EPOCH` pins the clock
for tests, like `PK_NOW` for `pk prompt`.
"""

from __future__ import annotations

import sys

from .prompt import SEPARATOR, SLOT_SOON_SECONDS

SHELLS = ("bash", "zsh", "fish")
RED, YELLOW = "31", "33"


def default_db() -> str:
    """The default store path as a shell expression (`paths.data_dir` in shell words)."""
    if sys.platform == "darwin":
        base = "${XDG_DATA_HOME:-$HOME/Library/Application Support}"
    else:
        base = "${XDG_DATA_HOME:-$HOME/.local/share}"
    return f"{base}/promisekeeper/promises.json"


# One binary search per sorted array: "how many elements are < $1". Generated per array because
# bash namerefs are slow and zsh has none.
_BASH_COUNT = """
__pk_count_NAME() {
  local lo=0 hi=${#__pk_NAME[@]} mid
  while ((lo < hi)); do
    mid=$(((lo + hi) / 2))
    if ((__pk_NAME[mid] < $1)); then lo=$((mid + 1)); else hi=$mid; fi
  done
  __pk_n=$lo
}"""

_ZSH_COUNT = """
__pk_count_NAME() {
  local lo=0 hi=${#__pk_NAME} mid
  while ((lo < hi)); do
    mid=$(((lo + hi) / 2))
    if ((__pk_NAME[mid + 1] < $1)); then lo=$((mid + 1)); else hi=$mid; fi
  done
  __pk_n=$lo
}"""

# Shared between bash and zsh: parse the index into arrays (only when its header changed), then
# count. DIGITS and OFFSET are shell patterns for "plain number" and "signed number".
_COMMON = r"""
__pk_hdr=
__pk_until=0 __pk_soon=0
__pk_offsets=() __pk_mine=() __pk_waiting=() __pk_slots=()
__pk_seg=
__pk_from=0 __pk_valid=0 __pk_cached_seg= __pk_cached_late=0
__pk_prefix=${__pk_prefix-}  # sourced again: still strip what we added

__pk_numbers() {  # $1: space-separated plain numbers (no sign, no leading zero, < 13 digits)
  [[ $1 != *[!0-9\ ]* && " $1" != *" 0"* && $1 != *TOO_LONG* ]]
}

__pk_load() {  # $1: the index file
  LOCAL_OPTIONS
  local key rest word seen=
  __pk_hdr= __pk_until=0 __pk_soon=0 __pk_offsets=() __pk_mine=() __pk_waiting=() __pk_slots=()
  while read -r key rest; do
    case $seen:$key in
      :pk-prompt-index)
        [[ $rest == 2\ * && -z ${rest//[0-9a-f ]/} ]] || return 1  # only compared, never computed
        __pk_hdr="$key $rest" ;;
      p:until) __pk_numbers "$rest" && [[ -n $rest ]] || return 1; __pk_until=$rest ;;
      pu:soon)  # one plain number; 0 (soon = "0m") too
        [[ $rest == 0 || ($rest == [1-9]* && $rest != *[!0-9]* && ${#rest} -lt 13) ]] || return 1
        __pk_soon=$rest ;;
      pus:offsets)
        for word in SPLIT_REST; do
          [[ $word == OFFSET && ${#word} -lt 13 ]] || return 1
        done
        __pk_offsets=(SPLIT_REST) ;;
      puso:mine) __pk_numbers "$rest" || return 1; __pk_mine=(SPLIT_REST) ;;
      pusom:waiting) __pk_numbers "$rest" || return 1; __pk_waiting=(SPLIT_REST) ;;
      pusomw:slots) __pk_numbers "$rest" || return 1; __pk_slots=(SPLIT_REST) ;;
      pusomws:end) seen=done; break ;;
      *) return 1 ;;
    esac
    seen=$seen${key:0:1}
  done < "$1"
  [[ $seen == done && ${#__pk_offsets[@]} -ge 2 && $((${#__pk_offsets[@]} % 2)) == 0 ]] || return 1
}

__pk_offset_at() {  # $1: epoch -> __pk_off
  local i=FIRST last=$((FIRST + ${#__pk_offsets[@]}))
  __pk_off=${__pk_offsets[FIRST + 1]}
  while ((i < last)); do
    ((__pk_offsets[i] > $1)) && break
    __pk_off=${__pk_offsets[i + 1]}
    i=$((i + 2))
  done
}

__pk_segment() {  # sets __pk_seg (plain text) and __pk_late
  LOCAL_OPTIONS
  local db=${PK_DB:-DEFAULT_DB} idx hdr now=${PK_NOW_EPOCH:-$EPOCHSECONDS}
  local off midnight eod late due_soon near today waiting soon first next parts=
  __pk_seg= __pk_late=0
  [[ $db == '~/'* ]] && db=$HOME/${db#'~/'}
  idx=$db.idx
  [[ -f $db && -f $idx && ! $idx -ot $db ]] || return 0
  IFS= read -r hdr 2>/dev/null < "$idx" || return 0
  if [[ $hdr != "$__pk_hdr" || -z $hdr ]]; then
    __pk_valid=0
    __pk_load "$idx" 2>/dev/null || { __pk_hdr=; return 0; }
  fi
  [[ $now == [1-9]* && $now != *[!0-9]* ]] || return 0
  if ((__pk_from <= now && now < __pk_valid)); then  # nothing can have changed since
    __pk_seg=$__pk_cached_seg __pk_late=$__pk_cached_late
    return 0
  fi
  ((__pk_offsets[FIRST] <= now && now < __pk_until)) || return 0
  __pk_offset_at "$now"; off=$__pk_off
  midnight=$((((now + off) / 86400 + 1) * 86400))
  eod=$((midnight - off))
  __pk_offset_at "$eod"
  if ((__pk_off != off)); then
    local later=$__pk_off
    __pk_offset_at $((midnight - later))
    ((__pk_off == later)) && eod=$((midnight - later))
  fi
  __pk_count_mine "$now"; late=$__pk_n
  __pk_count_mine $((now + __pk_soon)); near=$__pk_n; due_soon=$((near - late))
  __pk_count_mine "$eod"; today=$((__pk_n - near)); ((today < 0)) && today=0
  __pk_count_waiting "$now"; waiting=$__pk_n
  __pk_count_slots "$now"; first=$__pk_n
  __pk_count_slots $((now + SLOT_SOON)); soon=$((__pk_n - first))
  ((late)) && parts="$late late"
  ((due_soon)) && parts="${parts:+$parts$SEP}$due_soon soon"
  ((today)) && parts="${parts:+$parts$SEP}$today today"
  ((waiting)) && parts="${parts:+$parts$SEP}$waiting waiting"
  if ((soon)); then
    next=$(((__pk_slots[first + FIRST] - now + 59) / 60))
    if ((next == 0)); then parts="${parts:+$parts$SEP}slot now"
    else parts="${parts:+$parts$SEP}slot in ${next}m"; fi
  fi
  [[ -n $parts ]] && __pk_seg="[pk $parts]"
  __pk_late=$((late + waiting))
  local valid=$eod t
  ((__pk_until < valid)) && valid=$__pk_until
  if ((late < ${#__pk_mine[@]})); then  # the next deadline to pass
    t=$((__pk_mine[late + FIRST] + 1)); ((t < valid)) && valid=$t
  fi
  if ((near < ${#__pk_mine[@]})); then  # the next deadline to come within the soon window
    t=$((__pk_mine[near + FIRST] - __pk_soon + 1)); ((t < valid)) && valid=$t
  fi
  if ((waiting < ${#__pk_waiting[@]})); then
    t=$((__pk_waiting[waiting + FIRST] + 1)); ((t < valid)) && valid=$t
  fi
  if ((first < ${#__pk_slots[@]})); then  # the next slot starts, or the minutes to it change
    t=$((__pk_slots[first + FIRST] + 1)); ((t < valid)) && valid=$t
    if ((soon)); then
      t=$((__pk_slots[first + FIRST] - 60 * (next - 1))); ((t < valid)) && valid=$t
    fi
  fi
  if ((first + soon < ${#__pk_slots[@]})); then  # the next slot comes into the soon window
    t=$((__pk_slots[first + soon + FIRST] - SLOT_SOON + 1)); ((t < valid)) && valid=$t
  fi
  __pk_from=$now __pk_valid=$valid __pk_cached_seg=$__pk_seg __pk_cached_late=$__pk_late
  return 0
}
"""

_BASH_HOOK = r"""
__pk_prompt() {
  local rc=$? prefix= colour=YELLOW
  __pk_segment
  if [[ -n $__pk_seg ]]; then
    ((__pk_late)) && colour=RED
    if [[ -n ${NO_COLOR-} ]]; then prefix="$__pk_seg "
    else prefix="\[\e[${colour}m\]$__pk_seg\[\e[0m\] "; fi
  fi
  if [[ -n $__pk_prefix && $PS1 == "$__pk_prefix"* ]]; then PS1=${PS1#"$__pk_prefix"}; fi
  PS1=$prefix$PS1
  __pk_prefix=$prefix
  return $rc
}
"""

_BASH_INSTALL = r"""
if [[ ";${PROMPT_COMMAND[*]-};" != *__pk_prompt* ]]; then
  if ((BASH_VERSINFO[0] > 5 || (BASH_VERSINFO[0] == 5 && BASH_VERSINFO[1] >= 1))); then
    PROMPT_COMMAND+=(__pk_prompt)  # 5.1+: an array, run in order; ours last
  else
    PROMPT_COMMAND="${PROMPT_COMMAND:+$PROMPT_COMMAND$'\n'}__pk_prompt"
  fi
fi
"""

# bash < 5 has no $EPOCHSECONDS: ask pk (one process per prompt, as fish does).
_BASH_OLD = r"""
__pk_segment() {
  __pk_seg=$(PK_CMD prompt 2>/dev/null)
  __pk_late=0
  [[ $__pk_seg == *late* || $__pk_seg == *waiting* ]] && __pk_late=1
  return 0
}
"""

_ZSH_HOOK = r"""
__pk_precmd() {
  local rc=$? prefix= colour=yellow
  __pk_segment
  if [[ -n $__pk_seg ]]; then
    ((__pk_late)) && colour=red
    if [[ -n ${NO_COLOR-} ]]; then prefix="$__pk_seg "
    else prefix="%F{$colour}$__pk_seg%f "; fi
  fi
  if [[ -n $__pk_prefix && $PROMPT == "$__pk_prefix"* ]]; then PROMPT=${PROMPT#"$__pk_prefix"}; fi
  PROMPT=$prefix$PROMPT
  __pk_prefix=$prefix
  return $rc
}
zmodload zsh/datetime 2>/dev/null
autoload -Uz add-zsh-hook
add-zsh-hook precmd __pk_precmd
"""

_FISH = r"""
function __pk_segment
    PK_CMD prompt 2>/dev/null
end
if functions -q fish_right_prompt; and not functions -q __pk_original_right_prompt
    functions -c fish_right_prompt __pk_original_right_prompt
end
function fish_right_prompt
    set -l seg (__pk_segment)
    if test -n "$seg"
        if set -q NO_COLOR; and test -n "$NO_COLOR"
            printf '%s ' $seg
        else
            set -l colour COLOUR_SOON
            string match -q -r 'late|waiting' -- $seg; and set colour COLOUR_LATE
            set_color $colour; printf '%s' $seg; set_color normal; printf ' '
        end
    end
    functions -q __pk_original_right_prompt; and __pk_original_right_prompt
end
"""


def _standup(shell: str, pk: str) -> str:
    """Print the plain standup at the first shell of each day; a stamp file beside the store
    remembers the day. The stamp is written only when the standup ran, so a failure shows again."""
    if shell == "fish":
        base = default_db().replace("${XDG_DATA_HOME:-", "").split("}", 1)
        return f"""
set -l __pk_db $PK_DB
if test -z "$__pk_db"
    set -l __pk_base $XDG_DATA_HOME
    test -n "$__pk_base"; or set __pk_base "{base[0]}"
    set __pk_db "$__pk_base{base[1]}"
end
set -l __pk_day (date +%F)
set -l __pk_seen (cat "$__pk_db.standup-day" 2>/dev/null)
if test "$__pk_seen" != "$__pk_day"; and {pk} standup --format plain
    echo $__pk_day > "$__pk_db.standup-day" 2>/dev/null
end
"""
    if shell == "bash":
        day = "printf -v __pk_day '%(%Y-%m-%d)T' -1"
    else:
        day = "zmodload zsh/datetime 2>/dev/null; strftime -s __pk_day %Y-%m-%d $EPOCHSECONDS"
    return f"""
__pk_stamp=${{PK_DB:-{default_db()}}}.standup-day
__pk_seen=
{day}
[[ -r $__pk_stamp ]] && read -r __pk_seen < "$__pk_stamp"
if [[ $__pk_seen != "$__pk_day" ]] && {pk} standup --format plain; then
  printf '%s\\n' "$__pk_day" 2>/dev/null > "$__pk_stamp"
fi
unset __pk_stamp __pk_seen __pk_day
"""


def snippet(shell: str, pk: str = "pk", standup: bool = False) -> str:
    """The text `pk init SHELL` prints. `pk` is the command (shell words, already quoted) the
    snippet runs when it has to ask pk."""
    if shell not in SHELLS:
        raise ValueError(f"unknown shell {shell!r} (choose: {', '.join(SHELLS)})")
    header = (
        f"# promisekeeper prompt segment (pk init {shell}); see the README, Shell integration\n"
    )
    if shell == "fish":
        body = _FISH.replace("PK_CMD", pk).replace("COLOUR_SOON", "yellow")
        body = body.replace("COLOUR_LATE", "red")
    else:
        counts = "".join(
            (_BASH_COUNT if shell == "bash" else _ZSH_COUNT).replace("NAME", name)
            for name in ("mine", "waiting", "slots")
        )
        common = (
            _COMMON.replace("TOO_LONG", "[0-9]" * 13)
            .replace("DEFAULT_DB", default_db())
            .replace("SLOT_SOON", str(SLOT_SOON_SECONDS))
        )
        common = common.replace("$SEP", SEPARATOR)
        if shell == "bash":
            common = common.replace("LOCAL_OPTIONS", "local IFS=$' \\t\\n'")
            common = common.replace("SPLIT_REST", "$rest").replace("FIRST", "0")
            common = common.replace("OFFSET", "?(-)@(0|[1-9]*([0-9]))")
            native = common + counts + _BASH_HOOK.replace("YELLOW", YELLOW).replace("RED", RED)
            old = _BASH_OLD.replace("PK_CMD", pk) + _BASH_HOOK.replace("YELLOW", YELLOW)
            old = old.replace("RED", RED)
            body = f"if ((BASH_VERSINFO[0] >= 5)); then\n{native}\nelse\n{old}\nfi\n{_BASH_INSTALL}"
        else:
            common = common.replace("LOCAL_OPTIONS", "emulate -L zsh; local IFS=$' \\t\\n'")
            common = common.replace("SPLIT_REST", "${=rest}").replace("FIRST", "1")
            common = common.replace("OFFSET", "(|-)(0|[1-9]|[1-9]<->)")
            common = common.replace("[!0-9a-f]", "[^0-9a-f]").replace("[!0-9\\ ]", "[^0-9\\ ]")
            common = common.replace("[!0-9]", "[^0-9]")
            body = common + counts + _ZSH_HOOK
    if standup:
        body += _standup(shell, pk)
    return _without_comments(header + body)


def _without_comments(text: str) -> str:
    """Drop `#` comments: `eval` in an interactive zsh (and a bash without interactive_comments)
    would run them as commands. Comments here are full lines or start with two spaces."""
    lines = []
    for line in text.splitlines():
        code = line.split("  # ", 1)[0].rstrip() if "  # " in line else line
        if code.lstrip().startswith("# ") or code.strip() == "#":
            continue
        lines.append(code)
    return "\n".join(lines) + "\n"
