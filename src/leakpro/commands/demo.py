"""The embedded demo: an MLP trained by LeakPro on half of 8,000 Adult candidates, and a null control.

Layout (all disjoint, drawn with the seed): 8,000 candidates, of which 4,000 train the target; 4,000
population records the attacker holds (known non-members); 4,000 more records train the null target, which
never sees a candidate. Eight reference models train on random halves of the candidates. The target trains for
100 epochs, long enough to memorise its training records (training accuracy about 0.99 against 0.82 on
non-members): the demo shows a model that leaks, read High on page one, beside a null control read Low.
"""

from __future__ import annotations

from typing import Any


def demo_config(seed: int = 0, quick: bool = False) -> dict[str, Any]:
    """The demo's audit config (``quick``: a smaller, faster variant used by tests)."""
    split = {"candidates": 2000, "population": 1000} if quick else {"candidates": 8_000, "population": 4_000}
    return {
        "name": "demo-adult-mlp",
        "seed": seed,
        "data": {"builtin": "adult", "split": split},
        "target": {
            "kind": "torch",
            "train": True,
            "recipe": {"model": "mlp", "params": {"hidden": [256, 256]}, "optimizer": "adam", "lr": 1e-3,
                       "epochs": 10 if quick else 100, "batch_size": 128, "weight_decay": 0.0},
        },
        "threat_model": "scores",
        "attacks": "all",
        "reference": {"models": 4 if quick else 8},
        "null_target": True,
    }
