"""One training step of k stacked ReLU MLPs without autograd, in buffers reused from step to step.

:mod:`leakpro.training.batched` trains k models of one architecture together; this module is its inner
loop. Per step it runs the layers' batched matrix products, the cross-entropy gradient and ReLU's gradient
into preallocated buffers, and the optimiser on one flat buffer that holds every weight and bias of all k
models (with one flat gradient buffer beside it): Adam and AdamW use torch's fused kernel, one pass over
memory per step, instead of eight. Nothing is allocated per step except the (k, b, classes) loss gradient.

Each model's numbers depend only on its own data, seed and the shapes: every kernel here computes an
element, a row or a matrix of the stack from that model's slice alone, in an order fixed by the shapes
(``tests/compute`` checks that a model trained alone and in a group is bitwise the same, and that every
executor gives the same numbers). They differ from the autograd loop and from the sequential path in
the last bits (another order of products, fused Adam); :data:`VERSION` names them in the cache key.

Layouts: weights are ``(k, out, in)`` as in ``nn.Linear``, biases ``(k, 1, out)``. The weight gradient is
formed straight in that layout as ``dᵀ h`` (the autograd loop formed ``hᵀ d`` and copied it transposed),
which on the Adult 108-256-256-2 recipe is faster as well.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

from leakpro.config.recipe import TorchRecipe
from leakpro.training.torch_train import make_optimizer

# The stacked trainer's numbers: part of every batched reference model's cache key. Change it whenever a
# change here (kernels, their order, layouts, the optimiser) changes a trained model's bits.
VERSION = "stacked-2"


class FlatParams:
    """Weights ``(k, out, in)`` and biases ``(k, 1, out)`` of every layer as views of one flat buffer, layer
    after layer."""

    def __init__(self, weights: Sequence[torch.Tensor], biases: Sequence[torch.Tensor]) -> None:
        """``weights[l]`` is layer l's ``(k, out, in)`` stack, ``biases[l]`` its ``(k, out)``."""
        shapes = [(tuple(w.shape), (b.shape[0], 1, b.shape[1])) for w, b in zip(weights, biases, strict=True)]
        self.flat = torch.empty(sum(_numel(ws) + _numel(bs) for ws, bs in shapes))
        self._split(shapes)
        for view, w in zip(self.weights, weights, strict=True):
            view.copy_(w)
        for view, b in zip(self.biases, biases, strict=True):
            view.copy_(b.unsqueeze(1))

    def _split(self, shapes: Sequence[tuple[tuple[int, ...], tuple[int, ...]]]) -> None:
        layers = self.flat.split([_numel(ws) + _numel(bs) for ws, bs in shapes])
        self.weights: list[torch.Tensor] = []
        self.biases: list[torch.Tensor] = []
        for chunk, (ws, bs) in zip(layers, shapes, strict=True):
            w, b = chunk.split([_numel(ws), _numel(bs)])
            self.weights.append(w.view(ws))
            self.biases.append(b.view(bs))

    def zeros_like(self) -> FlatParams:
        """A zeroed buffer with the same views (the gradients)."""
        other = object.__new__(FlatParams)
        other.flat = torch.zeros_like(self.flat)
        other._split([(tuple(w.shape), tuple(b.shape)) for w, b in zip(self.weights, self.biases, strict=True)])
        return other


def _numel(shape: tuple[int, ...]) -> int:
    return math.prod(shape)


class StackedMLP:
    """Forward and backward of k MLPs on a (k, b, in) batch; gradients land in ``grads``."""

    def __init__(self, params: FlatParams) -> None:
        self.params = params
        self.grads = params.zeros_like()
        self._buffers: dict[int, tuple[list[torch.Tensor], list[torch.Tensor]]] = {}

    def _scratch(self, b: int) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        """Per layer, two (k, b, out) buffers: its output (pre-activation, then ReLU output in place, then the
        gradient there) and the gradient with respect to its ReLU output."""
        if b not in self._buffers:
            ws = self.params.weights
            self._buffers[b] = (
                [torch.empty(w.shape[0], b, w.shape[1]) for w in ws],
                [torch.empty(w.shape[0], b, w.shape[1]) for w in ws],
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
        per_item = (torch.ones((), dtype=logp.dtype) / xb.shape[1]).item()  # 1/b in float32, as mean's backward
        dlogp = torch.zeros_like(logp).scatter_(2, yb.unsqueeze(2), -per_item)
        d = torch._log_softmax_backward_data(dlogp, logp, 2, logp.dtype)  # softmax - onehot, over b
        g = self.grads
        for layer in range(len(acts) - 1, -1, -1):
            inputs = xb if layer == 0 else acts[layer - 1]
            torch.sum(d, dim=1, keepdim=True, out=g.biases[layer])
            torch.bmm(d.transpose(1, 2), inputs, out=g.weights[layer])
            if layer > 0:  # the data need no gradient
                grad_h = torch.bmm(d, self.params.weights[layer], out=grad_out[layer - 1])
                # ReLU's backward: the output's buffer becomes its gradient (read and written element-wise)
                torch.ops.aten.threshold_backward.grad_input(grad_h, inputs, 0, grad_input=inputs)
                d = inputs


def flat_optimizer(recipe: TorchRecipe, net: StackedMLP) -> torch.optim.Optimizer:
    """The recipe's optimiser over the flat parameter buffer, reading the flat gradient buffer; Adam and
    AdamW fused. Every element's update depends on that element's gradient and state alone (and the shared
    step count), so one optimiser over the stack makes the updates of k independent optimisers, one per model.

    Measured: one call over the whole buffer after the backward pass was as fast as one call per layer as
    soon as that layer's gradient is ready (while it is in cache), and gives the same bits.
    """
    flat = nn.Parameter(net.params.flat)  # shares the buffer: the views used by forward see each update
    flat.grad = net.grads.flat
    return make_optimizer(recipe, [flat], fused=recipe.optimizer in ("adam", "adamw"))
