"""Datasets for federated simulations, all offline.

* ``fashion_mnist`` — 70,000 28×28 grey images in 10 classes, read from the gzip IDX files of Debian's
  ``dataset-fashion-mnist`` package (``/usr/share/datasets/fashion-mnist``); pixels scaled to [0, 1].
* ``digits`` — scikit-learn's 1,797 8×8 handwritten digits, scaled to [0, 1]; small and fast (tests).
* ``adult`` — the embedded Adult census table encoded as in :mod:`leakpro.data.adult` (6 standardised
  numeric columns, 8 one-hot categorical columns); :class:`TabularSchema` says which features belong to
  which column, so an inversion can decode a record column by column.
"""

from __future__ import annotations

import gzip
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from leakpro.data.tabular import CategoricalColumn, TabularSchema

FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
FASHION_MNIST_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)
DATASETS = ("fashion_mnist", "digits", "adult")


@dataclass(frozen=True)
class FederatedData:
    """Features ``x`` (float32, N×shape), labels ``y`` (int64), and what they are."""

    name: str
    x: torch.Tensor
    y: torch.Tensor
    n_classes: int
    classes: tuple[str, ...]
    bounds: tuple[float, float] | None = None  # box constraint on every feature (images: (0, 1))
    schema: TabularSchema | None = field(default=None)

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(self.x.shape[1:])

    @property
    def is_image(self) -> bool:
        return self.x.dim() == 4


def _read_idx(path: Path) -> np.ndarray:
    with gzip.open(path, "rb") as fh:
        raw = fh.read()
    magic = int.from_bytes(raw[:4], "big")
    if magic >> 8 != 0x08:  # 0x08 = unsigned byte data
        raise ValueError(f"{path} is not an unsigned-byte IDX file (magic {magic:#x})")
    ndim = magic & 0xFF
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def fashion_mnist_dir() -> Path:
    """The Fashion-MNIST folder (``LEAKPRO_FASHION_MNIST`` overrides the Debian location)."""
    return Path(os.environ.get("LEAKPRO_FASHION_MNIST", FASHION_MNIST_DIR))


def fashion_mnist_available() -> bool:
    root = fashion_mnist_dir()
    return all((root / f"{s}-images-idx3-ubyte.gz").is_file() for s in ("train", "t10k"))


def load_fashion_mnist(split: str = "train") -> FederatedData:
    """Fashion-MNIST ``train`` (60,000) or ``test`` (10,000) as N×1×28×28 floats in [0, 1]."""
    if split not in ("train", "test"):
        raise ValueError(f"data.split: must be 'train' or 'test', got {split!r}")
    root = fashion_mnist_dir()
    prefix = "train" if split == "train" else "t10k"
    images, labels = root / f"{prefix}-images-idx3-ubyte.gz", root / f"{prefix}-labels-idx1-ubyte.gz"
    if not images.is_file() or not labels.is_file():
        raise FileNotFoundError(
            f"Fashion-MNIST not found at {root} (looked for {images.name}); fix: install it offline with "
            "`apt-get install dataset-fashion-mnist`, set LEAKPRO_FASHION_MNIST to a folder holding the gzip "
            "IDX files, or use data.name: digits"
        )
    x = torch.from_numpy(_read_idx(images).astype(np.float32) / 255.0).unsqueeze(1)
    y = torch.from_numpy(_read_idx(labels).astype(np.int64))
    return FederatedData("fashion_mnist", x, y, 10, FASHION_MNIST_CLASSES, bounds=(0.0, 1.0))


def load_digits_images() -> FederatedData:
    """scikit-learn's 8×8 digits (1,797) as N×1×8×8 floats in [0, 1]."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    x = torch.from_numpy((bunch.images / 16.0).astype(np.float32)).unsqueeze(1)
    y = torch.from_numpy(bunch.target.astype(np.int64))
    return FederatedData("digits", x, y, 10, tuple(str(d) for d in range(10)), bounds=(0.0, 1.0))


def load_adult_tabular(split: str = "train") -> FederatedData:
    """The embedded Adult table, encoded (108 features), with the schema of its 14 columns."""
    from leakpro.data.adult import CLASSES, NUMERIC, encode_adult, load_adult_frame

    features, labels, names = encode_adult(load_adult_frame(split))  # type: ignore[arg-type]
    blocks: list[CategoricalColumn] = []
    i = len(NUMERIC)
    while i < len(names):
        column = names[i].split("=", 1)[0]
        j = i
        while j < len(names) and names[j].split("=", 1)[0] == column:
            j += 1
        blocks.append(CategoricalColumn(column, i, j, tuple(n.split("=", 1)[1] for n in names[i:j])))
        i = j
    schema = TabularSchema(numeric=tuple(NUMERIC), categorical=tuple(blocks))
    return FederatedData("adult", torch.from_numpy(features), torch.from_numpy(labels), 2, CLASSES, schema=schema)


def load_federated_data(name: str, split: str = "train") -> FederatedData:
    """One of :data:`DATASETS` by name."""
    if name == "fashion_mnist":
        return load_fashion_mnist(split)
    if name == "digits":
        return load_digits_images()
    if name == "adult":
        return load_adult_tabular(split)
    raise ValueError(f"data.name: unknown dataset {name!r}; fix: use one of {list(DATASETS)}")
