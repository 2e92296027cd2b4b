"""No figure depends on the order of SYN's rows; with every ORI and CONTROL row used, nor on theirs."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from leakpro.synthetic.runner import audit_synthetic


def _figures(res) -> dict:  # type: ignore[no-untyped-def,type-arg]
    def strip(node):  # type: ignore[no-untyped-def]
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k != "runtime_s"}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    return strip(json.loads(res.to_json()))  # type: ignore[no-any-return]


def _parts(adult_parts) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:  # type: ignore[no-untyped-def]
    ori, control, other = (f.iloc[:200].reset_index(drop=True) for f in adult_parts)
    syn = pd.concat([ori.iloc[:120], other.iloc[:80]], ignore_index=True)  # copies and ties
    return ori, syn, control


def test_syn_row_order_changes_no_figure(adult_parts) -> None:  # type: ignore[no-untyped-def]
    ori, syn, control = _parts(adult_parts)
    shuffled = syn.sample(frac=1.0, random_state=5).reset_index(drop=True)
    kwargs = {"secrets": ["income", "age"], "n_attacks": 60, "seed": 3}
    a = audit_synthetic(ori, syn, control, **kwargs)  # type: ignore[arg-type]
    b = audit_synthetic(ori, shuffled, control, **kwargs)  # type: ignore[arg-type]
    assert _figures(a) == _figures(b)


def test_ori_and_control_order_change_no_count_when_every_row_is_used(adult_parts) -> None:  # type: ignore[no-untyped-def]
    """With ``n_attacks`` >= the table sizes every row is a target, so a permutation only renumbers them.

    Left out, as random draws by position rather than figures of the data: the inference baseline (random
    guesses paired with targets in row order) and DOMIAS (CONTROL split at random into reference and
    non-members)."""
    ori, syn, control = _parts(adult_parts)
    kwargs = {"secrets": ["income"], "n_attacks": 500, "seed": 1}
    a = audit_synthetic(ori, syn, control, **kwargs)  # type: ignore[arg-type]
    perm = np.random.default_rng(0).permutation(len(ori))
    b = audit_synthetic(
        ori.iloc[perm].reset_index(drop=True),
        syn,
        control.iloc[perm[::-1]].reset_index(drop=True),
        **kwargs,  # type: ignore[arg-type]
    )
    for x, y in zip(a.attacks, b.attacks, strict=True):
        assert (x.ori, x.control) == (y.ori, y.control), x.name
        assert sorted(perm[y.exposed_records].tolist()) == sorted(x.exposed_records), x.name
        if x.attack != "inference":
            assert x.baseline == y.baseline
    dcr_a, dcr_b = a.membership[0], b.membership[0]
    assert dcr_a.variant == "dcr" and (dcr_a.auc, dcr_a.ci_low, dcr_a.ci_high) == (
        dcr_b.auc,
        dcr_b.ci_low,
        dcr_b.ci_high,
    )


def test_figures_do_not_depend_on_the_number_of_workers(adult_parts) -> None:  # type: ignore[no-untyped-def]
    ori, syn, control = _parts(adult_parts)
    kwargs = {"secrets": ["income", "age"], "n_attacks": 60, "seed": 2}
    one = audit_synthetic(ori, syn, control, workers=1, **kwargs)  # type: ignore[arg-type]
    two = audit_synthetic(ori, syn, control, workers=2, **kwargs)  # type: ignore[arg-type]
    assert _figures(one) == _figures(two)
    with pytest.raises(ValueError, match="workers must be at least 1"):
        audit_synthetic(ori, syn, control, workers=0, **kwargs)  # type: ignore[arg-type]
