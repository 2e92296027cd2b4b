"""DP-SGD with white-box Dirac gradient canaries (Steinke, Nasr & Jagielski 2023; Nasr et al. 2021).

The recipe's model trains with Opacus's ``DPOptimizer`` (per-sample clipping to C, Gaussian noise σC on the
sum, division by the expected batch size, then the recipe's optimiser) on Poisson batches: every record
joins a step with probability q = 1 / ceil(n / batch_size), as Opacus's ``make_private`` samples. Beside the
model's parameters sits a block of m *canary coordinates* that the model never reads, so real data has zero
gradient there. Canary i is a record whose per-sample gradient is ``norm · C`` on coordinate i and zero
elsewhere; it is included in training with probability ½, independently (the auditor's secret), and, like
any record, joins each step with probability q. Its norm exceeds C on purpose: a correct recipe clips it to
the Dirac canary of norm C, while a recipe that skips per-sample clipping lets it through larger.

Scale: the canary block is privatised without materialising its per-sample gradients (a dense (batch + sampled
canaries) × m matrix would need gigabytes at m = 10⁵). Per-sample clipping, noise and scaling are separable over
disjoint coordinates: a real record has no gradient on the block and a canary none on the model, so each row's
clip factor, and each coordinate's noise, is the same whether the block is one of Opacus's parameters or
handled beside it. :func:`privatise_canaries` applies Opacus's clip factor ``min(1, C / (‖g‖ + 1e-6))``, draws
the block's noise with Opacus's ``_generate_noise`` from the same generator right after the model's (the order
Opacus uses when the block is its last parameter) and divides by the expected batch size; tests check it
against Opacus's DPOptimizer on a dense block. The block is then stepped by the recipe's optimiser (its own
instance: SGD, momentum, Adam and weight decay act per coordinate).

What comes out for the auditor, accumulated on the fly (no (steps × m) array): the log-likelihood-ratio score of
every canary summed over steps (see :func:`step_llr`), and the canary coordinates of the initial and final model.
The claimed ε is the RDP accountant's for (σ, q, steps, δ).

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
    update_score: np.ndarray  # (m,) Σ_t step_llr of the privatised canary coordinates (every update observed)
    final_change: np.ndarray  # (m,) final − initial canary coordinates of the model
    sample_rate: float  # q, the real Poisson sampling rate
    steps: int
    noise_multiplier: float  # σ as claimed (the recipe's)
    max_grad_norm: float
    claimed_epsilon: float  # the accountant's ε for the claim (σ, q × accountant_rate_factor, steps)
    delta: float
    mechanism: str
    model: nn.Module
    observed: np.ndarray | None = None  # (steps, m) privatised gradient sums in units of C: record_steps only


def dp_optimizer_class(clipping: Clipping) -> type[DPOptimizer]:
    """Opacus's DPOptimizer, or (planted bugs only) a subclass whose clipping is wrong on purpose."""
    from opacus.optimizers import DPOptimizer

    if clipping == "per_sample":
        return DPOptimizer

    class PlantedClippingBug(DPOptimizer):
        extra_sq_norm = 0.0  # squared norm of the canary block's unclipped sum (privatised beside the model)
        factor = 1.0

        def clip_and_accumulate(self) -> None:
            sums = [self._get_flat_grad_sample(p).to(p.dtype).sum(0) for p in self.params]
            self.factor = 1.0
            if clipping == "per_batch":  # clip the batch-mean gradient to C, as clip_grad_norm_ would
                norm = math.sqrt(float(sum((s * s).sum() for s in sums)) + self.extra_sq_norm)
                self.factor = min(1.0, self.max_grad_norm * (self.expected_batch_size or 1) / (norm + 1e-6))
            for p, s in zip(self.params, sums, strict=True):
                p.summed_grad = s * self.factor

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


def step_llr(x: torch.Tensor, sample_rate: float, noise_multiplier: float) -> torch.Tensor:
    """log-likelihood ratio of one step's canary coordinate x (units of C): N(1, σ²) w.p. q, else N(0, σ²), vs N(0, σ²).

    log(1 − q + q·exp((x − ½)/σ²)): the Neyman–Pearson statistic of "included" under the claimed mechanism.
    """
    x = x.to(torch.float64)
    stay = math.log1p(-sample_rate) if sample_rate < 1 else -math.inf
    return torch.logaddexp(torch.full_like(x, stay), math.log(sample_rate) + (x - 0.5) / noise_multiplier**2)


def privatise_canaries(sampled: torch.Tensor, m: int, canary_size: float, opt: DPOptimizer,
                       clipping: Clipping) -> torch.Tensor:
    """Opacus's clip, noise and scaling for the canary block, whose sampled rows are Dirac (see the module).

    ``opt`` is the DPOptimizer that just stepped the model (its σ, C, generator and expected batch size are used;
    for the per-batch bug, its batch clip factor, computed with the block's norm included).
    """
    summed = torch.zeros(m)
    if clipping == "per_sample":  # Opacus: (C / (‖g‖ + 1e-6)).clamp(max=1) per row
        factor = min(1.0, opt.max_grad_norm / (canary_size + 1e-6))
    else:
        factor = getattr(opt, "factor", 1.0)  # "none": 1; "per_batch": the batch factor of the planted optimiser
    summed[sampled] = canary_size * factor
    from opacus.optimizers.optimizer import _generate_noise

    noise = _generate_noise(std=opt.noise_multiplier * opt.max_grad_norm, reference=summed, generator=opt.generator,
                            secure_mode=opt.secure_mode)
    return (summed + noise) / (opt.expected_batch_size * opt.accumulated_iterations)


def train_with_canaries(recipe: TorchRecipe, features: np.ndarray, labels: np.ndarray, n_classes: int, *,
                        canaries: int, canary_norm: float, seed: int, mechanism: Mechanism = CORRECT,
                        record_steps: bool = False) -> CanaryRun:
    """Train the recipe with DP-SGD and m Dirac gradient canaries (see the module); deterministic given seed.

    ``record_steps`` also keeps every step's privatised canary coordinates (steps × m floats: small m only).
    """
    if canary_norm < 1:
        raise ValueError("canary_norm must be at least 1 (in units of the clipping norm)")
    with torch_threads():
        return _train(recipe, features, labels, n_classes, canaries, canary_norm, seed, mechanism, record_steps)


def _train(recipe: TorchRecipe, features: np.ndarray, labels: np.ndarray, n_classes: int, m: int,
           canary_norm: float, seed: int, mechanism: Mechanism, record_steps: bool) -> CanaryRun:
    dp = recipe.dp
    if dp is None:
        raise ValueError("the canary audit needs a DP recipe (recipe.dp)")
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    x = torch.as_tensor(np.ascontiguousarray(features), dtype=torch.float32)
    y = torch.as_tensor(labels, dtype=torch.long)
    n = x.shape[0]
    per_epoch = math.ceil(n / recipe.batch_size)
    q, steps = 1.0 / per_epoch, recipe.epochs * per_epoch
    sigma = claimed_noise(recipe, q, steps)
    model = build_model(recipe.model, recipe.params, int(np.prod(x.shape[1:])), n_classes)
    block = nn.Module()
    block.canary = nn.Parameter(torch.zeros(m))
    opt = dp_optimizer_class(mechanism.clipping)(
        make_optimizer(recipe, model), noise_multiplier=sigma * mechanism.noise_factor,
        max_grad_norm=dp.max_grad_norm, expected_batch_size=max(1, round(n * q)),
        generator=torch.Generator().manual_seed(seed + 1))
    block_opt = make_optimizer(recipe, block)
    included = torch.rand(m, generator=gen) < 0.5
    per_sample = _per_sample_grads(model, nn.CrossEntropyLoss(label_smoothing=recipe.label_smoothing))
    canary_size = canary_norm * dp.max_grad_norm
    score = torch.zeros(m, dtype=torch.float64)
    observed = np.empty((steps, m), dtype=np.float32) if record_steps else None
    model.train()
    for t in range(steps):
        batch = torch.rand(n, generator=gen) < q
        sampled = torch.nonzero(included & (torch.rand(m, generator=gen) < q)).flatten()
        grads = per_sample(x[batch], y[batch])
        for p, g in zip(model.parameters(), grads, strict=True):  # the canaries' rows would be zero here
            p.grad_sample = g  # type: ignore[attr-defined]
        opt.extra_sq_norm = sampled.numel() * canary_size**2  # read by the per-batch bug only
        opt.step()
        block.canary.grad = privatise_canaries(sampled, m, canary_size, opt, mechanism.clipping)
        block_opt.step()
        seen = block.canary.grad * opt.expected_batch_size / dp.max_grad_norm
        score += step_llr(seen, q, sigma)
        if observed is not None:
            observed[t] = seen.numpy()
        opt.zero_grad(set_to_none=True)
        block_opt.zero_grad(set_to_none=True)
    return CanaryRun(
        included=included.numpy(), update_score=score.numpy(), final_change=block.canary.detach().numpy().copy(),
        sample_rate=q, steps=steps, noise_multiplier=sigma, max_grad_norm=dp.max_grad_norm,
        claimed_epsilon=accountant_epsilon(sigma, q * mechanism.accountant_rate_factor, steps, dp.delta),
        delta=dp.delta, mechanism=mechanism.name, model=model.eval(), observed=observed,
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
