"""The ``[keymap]`` table of the config file: binding id -> keys, checked before Textual sees
it, so that a typo is a clear message naming the line instead of a key that silently never
works."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import Any

from mailtui.errors import Location

MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})


@cache
def _key_names() -> frozenset[str]:
    from textual.keys import KEY_NAME_REPLACEMENTS, KEY_TO_UNICODE_NAME, Keys

    names = {k.value for k in Keys if "+" not in k.value and not k.value.startswith("<")}
    names.update(KEY_TO_UNICODE_NAME, KEY_NAME_REPLACEMENTS.values())
    names.update({"space", "tab", "enter", "backspace", "escape", "minus", "plus", "slash",
                  "backslash", "comma", "full_stop", "colon", "semicolon", "apostrophe"})
    return frozenset(names)


def key_problem(key: str) -> str | None:
    """Why ``key`` (``ctrl+s``, ``f2``, ``question_mark``, ``a``) is not a key Textual knows;
    None when it is."""
    from textual.keys import key_to_character

    key = key.strip()
    if not key:
        return "empty key"
    if len(key) == 1:
        return None if key.isprintable() else f"{key!r} is not a printable_text key"
    *mods, base = key.split("+")
    for mod in mods:
        if mod not in MODIFIERS:
            return f"{mod!r} is not a modifier (use {', '.join(sorted(MODIFIERS))})"
    if len(base) == 1 and base.isprintable():
        return None
    if base in _key_names() or (base and key_to_character(base) is not None):
        return None
    close = difflib.get_close_matches(base, sorted(_key_names()), n=1)
    hint = f" (did you mean {'+'.join([*mods, close[0]])}?)" if close else ""
    return f"{key!r} is not a key{hint}"


def parse_keymap(table: Mapping[str, Any], known_ids: Iterable[str],
                 locate: Callable[[str], Location]) -> tuple[dict[str, str], list[str]]:
    """The usable entries of ``[keymap]`` and one message per unusable one (with its line)."""
    known = sorted(known_ids)
    keymap: dict[str, str] = {}
    problems: list[str] = []
    for binding_id, value in table.items():
        where = locate(binding_id)
        if binding_id not in known:
            close = difflib.get_close_matches(binding_id, known, n=1)
            hint = f"did you mean {close[0]}?" if close else f"known: {', '.join(known)}"
            problems.append(f"{where}: keymap: unknown binding id {binding_id!r}; {hint}")
            continue
        if not isinstance(value, str):
            problems.append(f'{where}: keymap.{binding_id}: must be a string such as "ctrl+s", '
                            f"not {value!r}")
            continue
        bad = [p for p in (key_problem(k) for k in value.split(",")) if p]
        if bad:
            problems.append(f"{where}: keymap.{binding_id}: {'; '.join(bad)}")
            continue
        keymap[binding_id] = ",".join(k.strip() for k in value.split(","))
    return keymap, problems
