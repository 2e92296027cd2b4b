"""DP-SGD with white-box Dirac gradient canaries (Steinke, Nasr & Jagielski 2023; Nasr et al. 2021).

The recipe's model trains with Opacus's ``DPOptimizer`` (per-sample clipping to C, Gaussian noise σC on the
sum, division by the expected batch size, then the recipe's optimiser) on Poisson batches: every record
joins a step with probability q = 1 / ceil(n / batch_size), as Opacus's ``make_private`` samples. Beside the
model's parameters sits a block of m *canary coordinates* that the model never reads, so real data has zero
gradient there. Canary i is a record whose per-sample gradient is ``norm · C`` on coordinate i and zero
elsewhere; it is included in training with probability ½, independently (the auditor's secret), and, like
any record, joins each step with probability q. Its norm exceeds C on purpose: a correct recipe clips it to
the Dirac canary of norm C, while a recipe that skips per-sample clipping lets it through larger.

What comes out for the auditor: the privatised gradient of every step at the canary coordinates, in units of
C (what the DP-SGD analysis protects; the optimiser's update is a post-processing of it), and the canary
coordinates of the initial and final model. The claimed ε is the RDP accountant's for (σ, q, steps, δ).

A :class:`Mechanism` describes the step: the correct recipe, or a planted bug (noise too small, clipping
skipped, the batch gradient clipped instead of each sample, or an accountant fed the wrong sampling rate)
used to check that the audit catches broken DP-SGD.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import torch
from torch import nn
from torch.func import functional_call, grad, vmap

from leakpro.config.recipe import TorchRecipe
from leakpro.training.models import build_model
from leakpro.training.torch_train import make_optimizer, torch_threads

if TYPE_CHECKING:
    from opacus.optimizers import DPOptimizer

Clipping = Literal["per_sample", "none", "per_batch"]


@dataclass(frozen=True)
class Mechanism:
    """How a DP-SGD step privatises, and how its ε is claimed: the correct recipe or a planted bug."""

    name: str = "as configured"
    noise_factor: float = 1.0  # actual noise multiplier = the claimed one × this
    clipping: Clipping = "per_sample"  # "per_batch": the batch-mean gradient is clipped to C instead
    accountant_rate_factor: float = 1.0  # the claimed ε is computed with sampling rate q × this


CORRECT = Mechanism()
PLANTED_BUGS: dict[str, Mechanism] = {
    "noise_10x_small": Mechanism("noise_10x_small", noise_factor=0.1),
    "no_clipping": Mechanism("no_clipping", clipping="none"),
    "per_batch_clipping": Mechanism("per_batch_clipping", clipping="per_batch"),
    "wrong_sampling_rate": Mechanism("wrong_sampling_rate", accountant_rate_factor=0.1),
}


@dataclass(frozen=True)
class CanaryRun:
    """One training run with canaries: the secret, what the auditor observes, and the claim."""

    included: np.ndarray  # (m,) bool: the canaries that were in the training data (the secret)
    observed: np.ndarray  # (steps, m) float32: privatised gradient sum at the canary coordinates, in units of C
    final_change: np.ndarray  # (m,) final − initial canary coordinates of the model
    sample_rate: float  # q, the real Poisson sampling rate
    steps: int
    noise_multiplier: float  # σ as claimed (the recipe's)
    max_grad_norm: float
    claimed_epsilon: float  # the accountant's ε for the claim (σ, q × accountant_rate_factor, steps)
    delta: float
    mechanism: str
    model: nn.Module


def dp_optimizer_class(clipping: Clipping) -> type[DPOptimizer]:
    """Opacus's DPOptimizer, or (planted bugs only) a subclass whose clipping is wrong on purpose."""
    from opacus.optimizers import DPOptimizer

    if clipping == "per_sample":
        return DPOptimizer

    class PlantedClippingBug(DPOptimizer):
        def clip_and_accumulate(self) -> None:
            sums = [self._get_flat_grad_sample(p).to(p.dtype).sum(0) for p in self.params]
            factor = 1.0
            if clipping == "per_batch":  # clip the batch-mean gradient to C, as clip_grad_norm_ would
                norm = float(torch.sqrt(sum((s * s).sum() for s in sums)))
                factor = min(1.0, self.max_grad_norm * (self.expected_batch_size or 1) / (norm + 1e-6))
            for p, s in zip(self.params, sums, strict=True):
                p.summed_grad = s * factor

    return PlantedClippingBug


def claimed_noise(recipe: TorchRecipe, sample_rate: float, steps: int) -> float:
    """σ of the recipe: given, or calibrated to its target ε by the RDP accountant (as Opacus does)."""
    from opacus.accountants.utils import get_noise_multiplier

    dp = recipe.dp
    if dp is None:
        raise ValueError("the canary audit needs a DP recipe (recipe.dp)")
    if dp.noise_multiplier is not None:
        return float(dp.noise_multiplier)
    assert dp.target_epsilon is not None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Opacus: "optimal order is the largest alpha" (still an upper bound)
        return float(get_noise_multiplier(target_epsilon=dp.target_epsilon, target_delta=dp.delta,
                                          sample_rate=sample_rate, steps=steps, accountant="rdp"))


def accountant_epsilon(noise_multiplier: float, sample_rate: float, steps: int, delta: float) -> float:
    """The RDP accountant's ε for ``steps`` Poisson-subsampled Gaussian steps."""
    from opacus.accountants import RDPAccountant

    accountant = RDPAccountant()
    accountant.history = [(noise_multiplier, sample_rate, steps)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "optimal order is the largest alpha" for tiny ε: still an upper bound
        return float(accountant.get_epsilon(delta))


def train_with_canaries(recipe: TorchRecipe, features: np.ndarray, labels: np.ndarray, n_classes: int, *,
                        canaries: int, canary_norm: float, seed: int, mechanism: Mechanism = CORRECT) -> CanaryRun:
    """Train the recipe with DP-SGD and m Dirac gradient canaries (see the module); deterministic given seed."""
    if canary_norm < 1:
        raise ValueError("canary_norm must be at least 1 (in units of the clipping norm)")
    with torch_threads():
        return _train(recipe, features, labels, n_classes, canaries, canary_norm, seed, mechanism)


def _train(recipe: TorchRecipe, features: np.ndarray, labels: np.ndarray, n_classes: int, m: int,
           canary_norm: float, seed: int, mechanism: Mechanism) -> CanaryRun:
    dp = recipe.dp
    if dp is None:
        raise ValueError("the canary audit needs a DP recipe (recipe.dp)")
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    noise_gen = torch.Generator().manual_seed(seed + 1)
    x = torch.as_tensor(np.ascontiguousarray(features), dtype=torch.float32)
    y = torch.as_tensor(labels, dtype=torch.long)
    n = x.shape[0]
    per_epoch = math.ceil(n / recipe.batch_size)
    q, steps = 1.0 / per_epoch, recipe.epochs * per_epoch
    sigma = claimed_noise(recipe, q, steps)
    holder = nn.Module()
    holder.model = build_model(recipe.model, recipe.params, int(np.prod(x.shape[1:])), n_classes)
    holder.canary = nn.Parameter(torch.zeros(m))
    opt = dp_optimizer_class(mechanism.clipping)(
        make_optimizer(recipe, holder), noise_multiplier=sigma * mechanism.noise_factor,
        max_grad_norm=dp.max_grad_norm, expected_batch_size=max(1, round(n * q)), generator=noise_gen)
    included = torch.rand(m, generator=gen) < 0.5
    per_sample = _per_sample_grads(holder.model, nn.CrossEntropyLoss(label_smoothing=recipe.label_smoothing))
    canary_size = canary_norm * dp.max_grad_norm
    observed = np.empty((steps, m), dtype=np.float32)
    model_params = list(holder.model.parameters())
    holder.train()
    for t in range(steps):
        batch = torch.rand(n, generator=gen) < q
        sampled = torch.nonzero(included & (torch.rand(m, generator=gen) < q)).flatten()
        grads = per_sample(x[batch], y[batch])
        k = sampled.numel()
        for p, g in zip(model_params, grads, strict=True):
            p.grad_sample = torch.cat([g, g.new_zeros((k, *g.shape[1:]))])  # type: ignore[attr-defined]
        rows = torch.zeros((int(batch.sum()) + k, m))
        rows[int(batch.sum()) + torch.arange(k), sampled] = canary_size
        holder.canary.grad_sample = rows  # type: ignore[attr-defined]
        opt.step()
        assert holder.canary.grad is not None
        observed[t] = (holder.canary.grad * opt.expected_batch_size / dp.max_grad_norm).numpy()
        opt.zero_grad(set_to_none=True)
    return CanaryRun(
        included=included.numpy(), observed=observed, final_change=holder.canary.detach().numpy().copy(),
        sample_rate=q, steps=steps, noise_multiplier=sigma, max_grad_norm=dp.max_grad_norm,
        claimed_epsilon=accountant_epsilon(sigma, q * mechanism.accountant_rate_factor, steps, dp.delta),
        delta=dp.delta, mechanism=mechanism.name, model=holder.model.eval(),
    )


def _per_sample_grads(model: nn.Module, loss_fn: nn.Module):  # type: ignore[no-untyped-def]
    """(x, y) → one per-sample gradient tensor per parameter of ``model`` (leading batch dimension)."""
    names = [name for name, _ in model.named_parameters()]

    def loss_one(params: dict[str, torch.Tensor], xi: torch.Tensor, yi: torch.Tensor) -> torch.Tensor:
        out = functional_call(model, params, (xi.unsqueeze(0),))
        return loss_fn(out, yi.unsqueeze(0))

    batched = vmap(grad(loss_one), in_dims=(None, 0, 0), randomness="different")

    def compute(xb: torch.Tensor, yb: torch.Tensor) -> list[torch.Tensor]:
        params = {name: p.detach() for name, p in model.named_parameters()}
        if xb.shape[0] == 0:
            return [p.new_zeros((0, *p.shape)) for p in params.values()]
        out = batched(params, xb, yb)
        return [out[name] for name in names]

    return compute
