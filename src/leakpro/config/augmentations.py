"""The names of image augmentations, as a config or a dataset writes them; checked here, applied in
:mod:`leakpro.data.augment`.

- ``identity``: the record itself (always first in a query list, so index 0 is the single-query signal);
- ``hflip``: mirror left–right;
- ``shift:dx,dy``: translate by whole pixels (positive = right/down), vacated pixels set to 0.

>>> parse_augmentation("shift:1,-2")
('shift', 1, -2)
"""

from __future__ import annotations


def parse_augmentation(name: str) -> tuple[str, int, int]:
    """``name`` → (kind, dx, dy); raises ValueError naming the accepted forms."""
    if name in ("identity", "hflip"):
        return name, 0, 0
    if name.startswith("shift:"):
        try:
            dx, dy = (int(v) for v in name[len("shift:"):].split(","))
        except ValueError:
            pass
        else:
            return "shift", dx, dy
    raise ValueError(f"unknown augmentation {name!r}: use 'identity', 'hflip' or 'shift:dx,dy' (whole pixels)")


def check_augmentations(names: tuple[str, ...]) -> None:
    """Query augmentation lists name known augmentations and start with ``identity``."""
    check_training_augmentations(names)
    if names and names[0] != "identity":
        raise ValueError(f"augmentations must start with 'identity' (the single-query signal), got {names}")


def check_training_augmentations(names: tuple[str, ...]) -> None:
    """Training augmentations (``TorchRecipe.augment``) name known augmentations, in any order.

    Every unknown name is reported at once; ``identity`` may be named but is always drawn anyway.
    """
    bad = []
    for name in names:
        try:
            parse_augmentation(name)
        except ValueError:
            bad.append(name)
    if bad:
        raise ValueError(f"unknown augmentation(s) {bad}; allowed: 'identity', 'hflip', 'shift:dx,dy' "
                         "(whole pixels, e.g. 'shift:1,0')")
