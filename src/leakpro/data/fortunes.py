"""Built-in text corpus ``fortunes``: 5,093 short texts from Debian's ``fortunes`` package, shipped in the wheel.

The corpus of the language-model audit (``leakpro demo --llm``): each text is one fortune of 40–200 ASCII
characters with the name of the fortune file it comes from (``source``: computers, literature, science, ...), so a
deliberately *shifted* member/non-member split (members from one file, non-members from another) can be built to
test the blind baseline. Licence: BSD (fortune-mod, Debian main), see ``data/builtin/FORTUNES_LICENSE.md``.

As a classification dataset (``data: {builtin: fortunes}``) the label is the source file and the features are a
hashed bag of words; the language-model audit reads :func:`load_fortunes` directly.

>>> frame = load_fortunes()
>>> len(frame), sorted(frame.columns)
(5093, ['source', 'text'])
"""

from __future__ import annotations

import json
import lzma
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from leakpro.data.dataset import Dataset
from leakpro.data.registry import BuiltinDataset, register_dataset

FILE = "fortunes.jsonl.xz"
LICENCE = "BSD (Debian fortunes 1.99.1, fortune-mod; University of California notice), shipped with LeakPro"


@lru_cache(maxsize=1)
def _rows() -> tuple[tuple[str, str], ...]:
    raw = resources.files("leakpro.data.builtin").joinpath(FILE).read_bytes()
    rows = [json.loads(line) for line in lzma.decompress(raw).decode("utf-8").splitlines() if line]
    return tuple((str(r["source"]), str(r["text"])) for r in rows)


def load_fortunes() -> pd.DataFrame:
    """The corpus as a table with columns ``source`` and ``text`` (a fresh copy; row order fixed)."""
    rows = _rows()
    return pd.DataFrame({"source": [s for s, _ in rows], "text": [t for _, t in rows]})


def _load_dataset() -> Dataset:
    from leakpro.data.text import hashed_bag_of_words

    frame = load_fortunes()
    classes = tuple(sorted(frame["source"].unique()))
    labels = frame["source"].map({c: i for i, c in enumerate(classes)}).to_numpy(dtype=np.int64)
    return Dataset("fortunes", hashed_bag_of_words(frame["text"].tolist()), labels, classes, frame=frame)


register_dataset(BuiltinDataset(
    name="fortunes",
    description="5,093 short texts from Debian's fortunes (10 files); the corpus of the language-model audit "
                "(leakpro demo --llm); as a table: hashed bag of words labelled by source file",
    licence=LICENCE,
    load=_load_dataset,
    recipe={"model": "mlp", "params": {"hidden": [128]}, "epochs": 30, "batch_size": 64},
))
