"""One training step of k stacked ReLU MLPs without autograd: preallocated buffers, in-place optimisers.

:mod:`leakpro.training.batched` trains k models of one architecture together; this module is its inner
loop. It computes what autograd and ``torch.optim`` computed for the stacked models before, with the same
ATen kernels on the same operands, so the trained models are bitwise the same as those of the autograd
loop (``benchmarks/audit.py`` and ``tests/compute/test_stacked.py`` compare them); only allocations, the
autograd graph, per-parameter optimiser calls and a transposed copy of every weight gradient are gone.

What makes it bitwise the same:

- Weights are stored transposed, ``(k, in, out)``. The matrix products that use them are the products
  autograd ran on ``W.transpose(1, 2)`` views of ``(k, out, in)`` weights, and MKL gives identical results
  for a contiguous operand and a transposed view of the same values. The weight gradient autograd formed
  is ``bmm(h.transpose(1, 2), d)`` in ``(k, in, out)``, which it then copied to ``(k, out, in)``; here it
  is written straight into place.
- The loss gradient is formed as autograd formed it: ``-1/b`` (float32) at each record's label, passed
  through ``_log_softmax_backward_data``; the bias gradient is ``sum`` over the batch; ReLU's gradient is
  ``threshold_backward`` on the ReLU output.
- The optimisers repeat ``torch.optim``'s single-tensor CPU updates (Adam, AdamW, SGD with momentum) op for
  op. Elementwise kernels give each element the same result wherever it sits in a tensor, so all
  parameters, gradients and optimiser states live in single flat buffers and every update is a handful of
  calls over all of them at once.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from leakpro.config.recipe import TorchRecipe

BETAS = (0.9, 0.999)  # torch.optim.Adam / AdamW defaults, which make_optimizer uses
EPS = 1e-8


class FlatParams:
    """Weights ``(k, out, in)`` and biases ``(k, 1, out)`` of every layer as views of one flat buffer."""

    def __init__(self, weights: Sequence[torch.Tensor], biases: Sequence[torch.Tensor]) -> None:
        """``weights[l]`` is layer l's ``(k, out, in)`` stack (nn.Linear layout), ``biases[l]`` its ``(k, out)``."""
        shapes = [tuple(w.shape) for w in weights] + [(b.shape[0], 1, b.shape[1]) for b in biases]
        sizes = [a * b * c for a, b, c in shapes]
        self.flat = torch.empty(sum(sizes))
        self.views = [v.view(s) for v, s in zip(self.flat.split(sizes), shapes, strict=True)]
        depth = len(weights)
        self.weights, self.biases = self.views[:depth], self.views[depth:]
        for view, w in zip(self.weights, weights, strict=True):
            view.copy_(w)
        for view, b in zip(self.biases, biases, strict=True):
            view.copy_(b.unsqueeze(1))

    def like(self) -> FlatParams:
        """A zeroed buffer with the same views (gradients, optimiser states)."""
        other = object.__new__(FlatParams)
        other.flat = torch.zeros_like(self.flat)
        other.views = [
            v.view(s.shape) for v, s in zip(other.flat.split([s.numel() for s in self.views]), self.views, strict=True)
        ]
        depth = len(self.weights)
        other.weights, other.biases = other.views[:depth], other.views[depth:]
        return other


class StackedMLP:
    """Forward and backward of k MLPs on a (k, b, in) batch, into buffers reused from step to step."""

    def __init__(self, params: FlatParams) -> None:
        self.params = params
        self.grads = params.like()
        self._weight_grads = [torch.empty(w.shape[0], w.shape[2], w.shape[1]) for w in params.weights]
        self._buffers: dict[int, tuple[list[torch.Tensor], list[torch.Tensor]]] = {}

    def _scratch(self, b: int) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        """Per layer, two (k, b, out) buffers: its output (pre-activation, then ReLU output in place, then
        the gradient there) and the gradient with respect to its output before ReLU's backward."""
        if b not in self._buffers:
            self._buffers[b] = tuple(  # type: ignore[assignment]
                [torch.empty(w.shape[0], b, w.shape[1]) for w in self.params.weights] for _ in range(2)
            )
        return self._buffers[b]

    def forward(self, xb: torch.Tensor) -> list[torch.Tensor]:
        """Each layer's output for the batch; hidden layers after ReLU, the last one logits."""
        acts = self._scratch(xb.shape[1])[0]
        h = xb
        last = len(acts) - 1
        for layer, (w, b, out) in enumerate(zip(self.params.weights, self.params.biases, acts, strict=True)):
            torch.baddbmm(b, h, w.transpose(1, 2), out=out)
            if layer < last:
                out.relu_()
            h = out
        return acts

    def backward(self, xb: torch.Tensor, yb: torch.Tensor) -> None:
        """Gradients of the sum over models of each model's mean cross-entropy on (xb, yb) into ``grads``."""
        acts = self.forward(xb)
        grad_out = self._scratch(xb.shape[1])[1]
        logp = torch.log_softmax(acts[-1], dim=2)
        per_item = torch.ones((), dtype=logp.dtype) / xb.shape[1]  # mean's backward, in float32
        dlogp = torch.zeros_like(logp).scatter_(2, yb.unsqueeze(2), -per_item.item())
        d = torch._log_softmax_backward_data(dlogp, logp, 2, logp.dtype)
        g = self.grads
        for layer in range(len(acts) - 1, -1, -1):
            torch.sum(d, dim=1, keepdim=True, out=g.biases[layer])
            inputs = xb if layer == 0 else acts[layer - 1]
            g.weights[layer].copy_(torch.bmm(inputs.transpose(1, 2), d, out=self._weight_grads[layer]).transpose(1, 2))
            if layer > 0:
                # the ReLU output's buffer becomes its gradient (threshold_backward reads it element by element)
                grad_h = torch.bmm(d, self.params.weights[layer], out=grad_out[layer - 1])
                torch.ops.aten.threshold_backward.grad_input(grad_h, inputs, 0, grad_input=inputs)
                d = inputs


class FlatOptimizer:
    """``torch.optim``'s single-tensor CPU update (as :func:`make_optimizer` builds it) over flat buffers."""

    def __init__(self, recipe: TorchRecipe, params: torch.Tensor, grads: torch.Tensor) -> None:
        if recipe.optimizer not in ("adam", "adamw", "sgd"):
            raise ValueError(f"optimizer {recipe.optimizer!r} has no flat update")
        self.recipe, self.params, self.grads = recipe, params, grads
        self.steps = 0
        self.m = torch.zeros_like(params)
        self.v = torch.zeros_like(params) if recipe.optimizer != "sgd" else self.m
        self.scratch = torch.empty_like(params)

    def step(self) -> None:
        self.steps += 1
        r, p, g = self.recipe, self.params, self.grads
        if r.optimizer == "sgd":
            self._sgd(r, p, g)
            return
        beta1, beta2 = BETAS
        if r.weight_decay != 0:
            if r.optimizer == "adamw":
                p.mul_(1 - r.lr * r.weight_decay)
            else:
                g.add_(p, alpha=r.weight_decay)  # torch: grad = grad.add(param, alpha=wd)
        self.m.lerp_(g, 1 - beta1)
        self.v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
        step = float(self.steps)
        step_size = r.lr / (1 - beta1**step)
        bias_correction2_sqrt = (1 - beta2**step) ** 0.5
        denom = torch.sqrt(self.v, out=self.scratch)
        denom.div_(bias_correction2_sqrt).add_(EPS)
        p.addcdiv_(self.m, denom, value=-step_size)

    def _sgd(self, r: TorchRecipe, p: torch.Tensor, g: torch.Tensor) -> None:
        if r.weight_decay != 0:
            g.add_(p, alpha=r.weight_decay)
        if r.momentum != 0:
            if self.steps == 1:
                self.m.copy_(g)
            else:
                self.m.mul_(r.momentum).add_(g, alpha=1)  # dampening 0
            g = self.m
        p.add_(g, alpha=-r.lr)
