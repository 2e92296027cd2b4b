"""iDLG label recovery (Zhao, Mopuri and Bilen 2020) and batch label counts from the last layer.

Threat model: honest-but-curious server holding one client's update (see :class:`ServerView`).

* **Single record** (iDLG): with softmax cross-entropy, the gradient of the last layer's bias is
  ``p − onehot(y)``: only the true class is negative. Without a bias, the row sums of the last weight
  gradient have the same signs when the penultimate activations are non-negative (ReLU, sigmoid).
* **Batch label counts**: the mean bias gradient over B records is ``mean_i p_i − counts / B``, so
  ``counts ≈ B·(p̄ − g_bias)``. ``p̄`` is estimated from the model's softmax on random inputs inside the
  box (the server's own queries, no private data) — accurate for a model early in training, as in the
  label-count estimators of Geng et al. 2021 and Wainakh et al. 2022. Counts are rounded to sum to B.
  For FedAvg the signal is −Δθ / (lr · local steps), an approximation that holds for few local steps.

The :class:`IDLG` attack recovers the labels this way, then optimises the records alone with L-BFGS.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from leakpro.federated.attacks.base import Reconstruction, ServerAttack, ServerView, register_server_attack
from leakpro.federated.attacks.dlg import DLGParams, best_of_restarts


def last_layer(view: ServerView) -> tuple[torch.Tensor, torch.Tensor | None]:
    """(weight, bias) parts of the update's gradient signal for the final linear layer."""
    linears = [m for m in view.model.modules() if isinstance(m, nn.Linear)]
    if not linears or linears[-1].out_features != view.n_classes:
        raise ValueError("label recovery needs a model ending in a linear layer with one output per class")
    names = {id(p): n for n, p in view.model.named_parameters()}
    signal = view.observed_gradient_signal()
    weight = signal[names[id(linears[-1].weight)]]
    bias = signal[names[id(linears[-1].bias)]] if linears[-1].bias is not None else None
    return weight, bias


def recover_single_label(view: ServerView) -> int:
    """iDLG: the class whose last-layer gradient is negative (the most negative one)."""
    weight, bias = last_layer(view)
    scores = bias if bias is not None else weight.sum(dim=1)
    return int(torch.argmin(scores))


def mean_prediction(view: ServerView, n_queries: int = 256, seed: int = 0) -> torch.Tensor:
    """The model's mean softmax on random in-box inputs: the server's estimate of p̄."""
    generator = torch.Generator().manual_seed(seed)
    shape = (n_queries, *view.input_shape)
    if view.bounds is None:
        x = torch.randn(shape, generator=generator)
    else:
        lo, hi = view.bounds
        x = lo + (hi - lo) * torch.rand(shape, generator=generator)
    with torch.no_grad():
        logits = torch.func.functional_call(view.model, {n: p.detach() for n, p in view.params.items()}, (x,))
    return torch.softmax(logits, dim=1).mean(dim=0)


def round_to_total(values: np.ndarray, total: int) -> np.ndarray:
    """Non-negative integers summing to ``total``, closest to ``values`` (largest remainders)."""
    v = np.clip(np.asarray(values, dtype=np.float64), 0.0, None)
    if v.sum() <= 0:
        v = np.ones_like(v)
    v = v * total / v.sum()
    counts = np.floor(v).astype(np.int64)
    remainder = total - int(counts.sum())
    counts[np.argsort(-(v - counts), kind="stable")[:remainder]] += 1
    return counts


def recover_label_counts(view: ServerView) -> np.ndarray:
    """Estimated number of records of each class in the attacked batch (sums to ``view.n_records``)."""
    _, bias = last_layer(view)
    batch = view.n_records
    if batch == 1:
        counts = np.zeros(view.n_classes, dtype=np.int64)
        counts[recover_single_label(view)] = 1
        return counts
    if bias is None:
        raise ValueError("batch label counts need a bias in the last layer; use a model with bias=True")
    protocol = view.replay_protocol
    scale = protocol.lr * protocol.local_steps if view.update.kind == "delta" else 1.0
    g = bias.detach().double() / scale
    estimate = batch * (mean_prediction(view).double() - g)
    return round_to_total(estimate.numpy(), batch)


def recover_labels(view: ServerView) -> torch.Tensor:
    """One label per record to reconstruct (sorted by class; the batch is unordered anyway)."""
    counts = recover_label_counts(view)
    return torch.from_numpy(np.repeat(np.arange(view.n_classes), counts)).long()


@register_server_attack
class IDLG(ServerAttack):
    """iDLG: labels from the last layer (single or batch counts), then L-BFGS over the records only."""

    name = "idlg"
    paper = "Zhao, Mopuri, Bilen. iDLG: Improved Deep Leakage from Gradients. arXiv:2001.02610, 2020"
    Params = DLGParams

    def run(self, view: ServerView) -> Reconstruction:
        assert isinstance(self.params, DLGParams)
        return best_of_restarts(view, recover_labels(view), self.params, self.random_state)
