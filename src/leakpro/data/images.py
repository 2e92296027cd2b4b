"""Built-in image datasets (``data: {builtin: digits}`` / ``{builtin: fashion_mnist}``), with query augmentations.

Features are float32 (N, 1, H, W) in [0, 1], read through the loaders of :mod:`leakpro.data.federated`
(one reader for each source). Each dataset names the query-time augmentations that membership attacks use
as a multi-query signal (:mod:`leakpro.data.augment`): small shifts for both, and a horizontal flip for
Fashion-MNIST (clothes are roughly mirror-symmetric; digits are not).

- ``digits``: scikit-learn's bundled 1,797 8×8 handwritten digits (UCI Optical Recognition of
  Handwritten Digits; CC BY 4.0). Small and fast: the tests use it.
- ``fashion_mnist``: 70,000 28×28 images (train 60,000 then test 10,000) from Debian's
  ``dataset-fashion-mnist`` (Xiao et al. 2017; MIT licence). When absent, loading says how to get it.
"""

from __future__ import annotations

import numpy as np

from leakpro.data.dataset import Dataset
from leakpro.data.registry import BuiltinDataset, register_dataset

DIGITS_AUGMENTATIONS = ("identity", "shift:1,0", "shift:-1,0", "shift:0,1")
FASHION_AUGMENTATIONS = ("identity", "hflip", "shift:1,0", "shift:-1,0")


def load_digits_dataset() -> Dataset:
    """scikit-learn's digits as a :class:`Dataset` of (1797, 1, 8, 8) float32 images, 10 classes."""
    from leakpro.data.federated import load_digits_images

    data = load_digits_images()
    return Dataset("digits", data.x.numpy(), data.y.numpy(), data.classes, augmentations=DIGITS_AUGMENTATIONS)


def load_fashion_mnist_dataset() -> Dataset:
    """Fashion-MNIST train + test as one (70000, 1, 28, 28) float32 :class:`Dataset`, 10 classes."""
    from leakpro.data.federated import load_fashion_mnist

    train, test = load_fashion_mnist("train"), load_fashion_mnist("test")
    x = np.concatenate([train.x.numpy(), test.x.numpy()])
    y = np.concatenate([train.y.numpy(), test.y.numpy()])
    return Dataset("fashion_mnist", x, y, train.classes, augmentations=FASHION_AUGMENTATIONS)


register_dataset(BuiltinDataset(
    name="digits",
    description="scikit-learn's 1,797 8×8 handwritten digits (10 classes), images in [0, 1]; "
                "augmented queries: shifts by one pixel",
    licence="CC BY 4.0 (UCI Optical Recognition of Handwritten Digits, Alpaydin & Kaynak 1998; "
            "bundled by scikit-learn)",
    load=load_digits_dataset,
    recipe={"model": "cnn", "params": {"width": 16, "hidden": 64}, "epochs": 30, "batch_size": 32, "lr": 3e-3},
))

register_dataset(BuiltinDataset(
    name="fashion_mnist",
    description="Fashion-MNIST, 70,000 28×28 clothing images (10 classes) from Debian's dataset-fashion-mnist; "
                "augmented queries: horizontal flip, shifts by one pixel",
    licence="MIT (Zalando Research; Xiao, Rasul & Vollgraf 2017)",
    load=load_fashion_mnist_dataset,
    recipe={"model": "cnn", "params": {"width": 16, "hidden": 64}, "epochs": 20, "batch_size": 64, "lr": 2e-3},
))
