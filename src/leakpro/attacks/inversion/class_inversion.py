"""White-box class inversion, MI-Face style (Fredrikson, Jha & Ristenpart, CCS 2015).

Threat model: white box — the attacker holds the model's weights and the label set, plus public data of
the same domain (it knows the input range and may take the public mean image as its neutral start). It
never sees a private training record. For each class c and each of ``restarts`` seeded starts, it runs
gradient descent on

    −log softmax(f(x̂))_c  +  tv_weight · TV(x̂)  +  l2_weight · ‖x̂ − start‖²

with Adam, projecting x̂ onto the box [lo, hi] after each step. Variant: the paper's cost is 1 − p_c; we
use −log p_c (same optimum, gradients that do not vanish once p_c is near 1) and add total variation as
the image prior. Restarts start from the public mean image plus seeded uniform noise.

``prior: pca`` replaces the pixel search by a prior learned from public data of the same domain (a linear
stand-in for the generative priors of Zhang et al., CVPR 2020): x̂ = clip(μ + zᵀ W) where μ and the k rows
of W are the public images' mean and top principal directions scaled by their standard deviations, so
the latent z is whitened; ``l2_weight`` then pulls z towards 0 (a Gaussian prior on the public data's
spread) and ``noise`` is the standard deviation of the seeded starting latents.

Judging is the challenger's job (:func:`judge_inversion`): a separately trained evaluation classifier
labels every reconstruction (attack accuracy, with an interval, against chance 1/C), and each one's L2
distance to the nearest private training image of its class is compared with that of public images.

Example::

    attack = ClassInversion(steps=200, restarts=4, random_state=0)
    images = attack.run(model, n_classes=10, shape=(1, 8, 8), start=public.mean(0))  # (10, 4, 1, 8, 8)
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import torch
from pydantic import BaseModel, ConfigDict, Field, model_validator
from torch import nn

from leakpro.attacks.catalogue import AttackCard, register_card
from leakpro.attacks.inversion.results import ClassInversionResult, rate


class ClassInversionParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    steps: int = Field(300, ge=1)
    lr: float = Field(0.05, gt=0)
    tv_weight: float = Field(0.05, ge=0)
    l2_weight: float = Field(0.0, ge=0)
    restarts: int = Field(4, ge=1, description="reconstructions per class, each from its own seeded start")
    noise: float = Field(0.3, ge=0, description="uniform noise added to the start, per restart")
    bounds: tuple[float, float] = Field((0.0, 1.0), description="the box (low, high) of pixel values")
    prior: Literal["tv", "pca"] = Field(
        "tv", description="tv: search pixels, total variation as the image prior; pca: search the span of the "
        "public images' top principal components (a prior learned from public data), whitened latent with an L2 pull")
    components: int = Field(16, ge=1, description="principal components of the public images (prior: pca)")

    @model_validator(mode="after")
    def _box(self) -> ClassInversionParams:
        if not self.bounds[0] < self.bounds[1]:
            raise ValueError(f"bounds must be (low, high) with low < high, got {self.bounds}")
        return self


def total_variation(x: torch.Tensor) -> torch.Tensor:
    """Anisotropic total variation of (N, C, H, W) images, per image: Σ|Δ_h| + Σ|Δ_w| (mean over pixels)."""
    dh = (x[..., 1:, :] - x[..., :-1, :]).abs().flatten(1).mean(1)
    dw = (x[..., :, 1:] - x[..., :, :-1]).abs().flatten(1).mean(1)
    return dh + dw


class ClassInversion:
    """MI-Face class inversion; ``run`` returns reconstructions (n_classes, restarts, *shape) in the box."""

    name = "class_inversion"
    paper = "Fredrikson, Jha & Ristenpart, Model Inversion Attacks that Exploit Confidence Information, CCS 2015"

    def __init__(self, *, random_state: int = 0, **params: object) -> None:
        self.params = ClassInversionParams(**params)  # type: ignore[arg-type]
        self.random_state = random_state

    def run(self, model: nn.Module, n_classes: int, shape: tuple[int, ...], start: np.ndarray | None = None,
            public: np.ndarray | None = None) -> np.ndarray:
        """Reconstructions (n_classes, restarts, *shape); ``public`` images are needed by ``prior: pca``."""
        p = self.params
        lo, hi = p.bounds
        gen = torch.Generator().manual_seed(self.random_state)
        base = torch.full(shape, (lo + hi) / 2) if start is None else torch.as_tensor(start, dtype=torch.float32)
        r = p.restarts
        n = n_classes * r
        if p.prior == "pca":
            if public is None or len(public) < 2:
                raise ValueError("prior 'pca' learns its basis from public images: pass public= (N, *shape), N ≥ 2")
            mean, basis = pca_basis(public, p.components)
            latent = (p.noise * torch.randn(n, basis.shape[0], generator=gen)).requires_grad_(True)

            def images() -> torch.Tensor:
                return (mean + latent @ basis).reshape(n, *shape).clamp(lo, hi)

            variable, anchor = latent, torch.zeros_like(latent)
        else:
            init = base.expand(n, *shape) + p.noise * (torch.rand(n, *shape, generator=gen) - 0.5)
            pixels = init.clamp(lo, hi).clone().requires_grad_(True)

            def images() -> torch.Tensor:
                return pixels

            variable, anchor = pixels, base.expand(n, *shape)
        target = torch.arange(n_classes).repeat_interleave(r)
        opt = torch.optim.Adam([variable], lr=p.lr)
        model.eval()
        for param in model.parameters():
            param.requires_grad_(False)
        try:
            for _ in range(p.steps):
                opt.zero_grad(set_to_none=True)
                x = images()
                logp = torch.log_softmax(model(x), dim=1)[torch.arange(n), target]
                pull = (variable - anchor).pow(2).flatten(1).sum(1)
                loss = -logp + p.tv_weight * total_variation(x) + p.l2_weight * pull
                loss.sum().backward()
                opt.step()
                if p.prior == "tv":
                    with torch.no_grad():
                        variable.clamp_(lo, hi)
            out = images().detach()
        finally:
            for param in model.parameters():
                param.requires_grad_(True)
        return out.numpy().reshape(n_classes, r, *shape)


def pca_basis(public: np.ndarray, components: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean (d,) and whitened basis (k, d) of public images: x = mean + z @ basis has z ~ N(0, I) on the data."""
    flat = torch.as_tensor(np.asarray(public, dtype=np.float32).reshape(len(public), -1))
    mean = flat.mean(0)
    _, sing, vt = torch.linalg.svd(flat - mean, full_matrices=False)
    k = min(components, vt.shape[0])
    scale = sing[:k] / max(len(public) - 1, 1) ** 0.5  # standard deviation along each component
    return mean, scale[:, None] * vt[:k]


def nearest_distance(queries: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """L2 distance from each query (Q, …) to its nearest pool item (P, …)."""
    q, p = queries.reshape(len(queries), -1), pool.reshape(len(pool), -1)
    d2 = (q**2).sum(1)[:, None] + (p**2).sum(1)[None, :] - 2 * q @ p.T
    return np.sqrt(np.maximum(d2.min(axis=1), 0.0))


def judge_inversion(
    images: np.ndarray, evaluate: nn.Module, private_x: np.ndarray, private_y: np.ndarray,
    public_x: np.ndarray, public_y: np.ndarray, *, target: str, seed: int, png: str | None = None,
    non_member: tuple[np.ndarray, np.ndarray] | None = None, params: dict[str, Any] | None = None,
) -> ClassInversionResult:
    """The challenger's scoring: evaluation-classifier accuracy and nearest-private-image distances.

    ``public_x`` (non-members of the same classes) gives a reference distance: how close an ordinary
    image of class c is to the private images of class c. ``non_member`` (images, labels), drawn like the
    members and as many, is the fair comparison for the reconstructions themselves: smooth reconstructions
    lie nearer every real image than real images lie to each other, so only "nearer the members than the
    non-members" points at training records.
    """
    n_classes, restarts = images.shape[:2]
    flat = images.reshape(n_classes * restarts, *images.shape[2:])
    with torch.no_grad():
        pred = evaluate(torch.as_tensor(flat, dtype=torch.float32)).argmax(1).numpy()
    truth = np.repeat(np.arange(n_classes), restarts)
    hits = (pred == truth).reshape(n_classes, restarts)
    acc = rate(int(hits.sum()), truth.size)
    with torch.no_grad():
        public_pred = evaluate(torch.as_tensor(public_x, dtype=torch.float32)).argmax(1).numpy()
    near_private, near_public, near_non_member = [], [], []
    for c in range(n_classes):
        pool = private_x[private_y == c]
        near_private.append(float(nearest_distance(images[c], pool).mean()))
        near_public.append(float(nearest_distance(public_x[public_y == c], pool).mean()))
        if non_member is not None:
            near_non_member.append(float(nearest_distance(images[c], non_member[0][non_member[1] == c]).mean()))
    return ClassInversionResult(
        target=target, n_classes=n_classes, restarts=restarts, attack_accuracy=acc, chance=1.0 / n_classes,
        above_chance=acc.low > 1.0 / n_classes, nearest_private_distance=near_private,
        nearest_public_distance=near_public, png=png, seed=seed,
        nearest_non_member_distance=near_non_member if non_member is not None else None, params=params,
        classes_recovered=int((hits.mean(axis=1) > 0.5).sum()),
        evaluator_accuracy=float((public_pred == public_y).mean()),
    )


register_card(AttackCard(
    family="model inversion", name=ClassInversion.name, title="MI-Face class inversion (gradient ascent, image prior)",
    paper=ClassInversion.paper, threat_model="white box: the model's weights",
    question="what do the training records of class c look like?", params=ClassInversionParams,
))
