"""“Did you mean …?” for misspelt keys and names: the closest option, ranked the way typos happen.

``difflib`` alone scores ``lable`` as close to ``table`` as to ``label`` and breaks the tie alphabetically.
Typing errors are mostly one slip: a swapped pair of neighbouring letters, one letter wrong, missing or extra.
So options are ranked by edit distance with a swap of neighbours counting as one edit (optimal string
alignment), then by whether the option has exactly the word's letters (a swap does), then by whether it
starts like the word (the first letter is rarely the slip), and only then by difflib's similarity.

>>> did_you_mean("lable", ["builtin", "table", "arrays", "label", "features"])
'label'
>>> did_you_mean("epohcs", ["optimizer", "lr", "epochs", "batch_size"])
'epochs'
>>> did_you_mean("zzz", ["label", "table"]) is None
True
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def edit_distance(a: str, b: str) -> int:
    """Insertions, deletions, substitutions and swaps of neighbouring characters turning ``a`` into ``b``."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def did_you_mean(word: str, options: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The option ``word`` most likely misspells, or None when none is close.

    Close means within a third of the word's length in edits (at least one, at most three), or a difflib
    ratio of at least ``cutoff`` (which catches a wrong word ending, e.g. ``reference_model``).
    """
    typed = word.lower()
    ranked = []
    for option in dict.fromkeys(str(o) for o in options):
        candidate = option.lower()
        distance = edit_distance(typed, candidate)
        ratio = difflib.SequenceMatcher(None, typed, candidate).ratio()
        if distance > min(3, max(1, len(typed) // 3)) and ratio < cutoff:
            continue
        ranked.append(((distance, sorted(typed) != sorted(candidate), typed[:1] != candidate[:1], -ratio, option),
                       option))
    return min(ranked)[1] if ranked else None
