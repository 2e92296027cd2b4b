"""What the property meta-classifier sees of a model.

Black-box: the model's class log-probabilities on a fixed query set (one feature per query and class).
White-box: the weights of an MLP, made permutation-invariant by sorting each hidden layer's neurons
(Ganju et al. 2018 note that hidden neurons can be permuted without changing the function; sorting is
their simplest canonical form). Neurons are ordered by the norm of their incoming weights and bias, and
the next layer's columns are permuted to match, so the sorted network computes the same function.
"""

from __future__ import annotations

import itertools

import numpy as np

from leakpro.data.dataset import Features
from leakpro.targets.logits import log_softmax
from leakpro.targets.protocol import Target


def black_box_features(target: Target, queries: Features) -> np.ndarray:
    """(|Q|·C,) log-probabilities of ``target`` on the query set, in float64."""
    return log_softmax(target.logits(queries)).ravel()


QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)


def black_box_summary(target: Target, queries: Features, groups: np.ndarray) -> np.ndarray:
    """A permutation-invariant description of the outputs: for each query group (e.g. with / without the
    property) and class, the mean, std and quantiles of the log-probabilities over the group's queries.

    The query set is a set, so its order carries nothing; summarising it (in the spirit of Ganju et al.'s
    permutation-invariant representations) leaves the meta-classifier few, stable features to learn from.
    """
    lp = log_softmax(target.logits(queries))
    parts = []
    for g in np.unique(groups):
        rows = lp[groups == g]
        parts += [rows.mean(axis=0), rows.std(axis=0), *np.quantile(rows, QUANTILES, axis=0)]
    return np.concatenate(parts)


def linear_chain(target: Target) -> list[tuple[np.ndarray, np.ndarray]]:
    """The (weight, bias) of each Linear layer of a torch MLP target, checked to form a chain."""
    module = getattr(target, "module", None)
    if module is None:
        raise ValueError(f"white-box property inference needs the model's weights; {target.describe()} exposes "
                         "none. Fix: use access='black_box'")
    from torch import nn

    layers = [m for m in module.modules() if isinstance(m, nn.Linear)]
    others = [m for m in module.modules() if not isinstance(m, nn.Linear | nn.ReLU | nn.Sequential | nn.Identity)
              and m is not module and any(True for _ in m.parameters(recurse=False))]
    chain = [(m.weight.detach().double().numpy(), (m.bias.detach().double().numpy() if m.bias is not None
                                                    else np.zeros(m.out_features))) for m in layers]
    if not chain or others or any(a[0].shape[0] != b[0].shape[1] for a, b in itertools.pairwise(chain)):
        raise ValueError("white-box property inference supports MLPs (a chain of Linear layers with ReLU); "
                         "use access='black_box' for other architectures")
    return chain


def sorted_weights(target: Target) -> np.ndarray:
    """All weights and biases of the MLP with hidden neurons sorted canonically, flattened."""
    chain = [(w.copy(), b.copy()) for w, b in linear_chain(target)]
    for i in range(len(chain) - 1):
        w, b = chain[i]
        order = np.argsort(np.linalg.norm(np.c_[w, b], axis=1), kind="stable")
        chain[i] = (w[order], b[order])
        nw, nb = chain[i + 1]
        chain[i + 1] = (nw[:, order], nb)
    return np.concatenate([np.r_[w.ravel(), b] for w, b in chain])
