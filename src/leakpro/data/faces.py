"""Built-in face images ``lfw_subset`` for the white-box inversion demo (optional: ``pip install leakpro[faces]``).

scikit-image ships a subset of *Labeled Faces in the Wild* inside its wheel (``skimage/data/lfw_subset.npy``,
read offline by ``skimage.data.lfw_subset()``): 100 face crops and 100 non-face crops from the backgrounds
of the same photos, 25×25 grey levels. The classes are ``non_face`` (0) and ``face`` (1); the subset carries
no identities, so class inversion here shows what a face detector's weights give away about "a face" in its
training data, and the membership audit asks which crops trained it. Features are float32 (200, 1, 25, 25)
in [0, 1]; augmented queries are a horizontal flip and one-pixel shifts.

Licence: LFW (Huang, Ramesh, Berg & Learned-Miller 2007, University of Massachusetts Amherst) is published
for research without a formal licence; its photos are news photos of public figures. scikit-image's code is
BSD-3-Clause. Not shipped with LeakPro: the optional extra installs scikit-image.
"""

from __future__ import annotations

import numpy as np

from leakpro.data.dataset import Dataset
from leakpro.data.registry import BuiltinDataset, optional_module, register_dataset

FACE_CLASSES = ("non_face", "face")
FACE_AUGMENTATIONS = ("identity", "hflip", "shift:1,0", "shift:0,1")


def load_lfw_subset() -> Dataset:
    """scikit-image's 200 LFW crops (first 100 faces, then 100 non-faces) as a 2-class :class:`Dataset`."""
    skimage_data = optional_module("skimage.data", "lfw_subset", "scikit-image", "faces", " (it bundles the crops)")
    images = np.asarray(skimage_data.lfw_subset(), dtype=np.float32)
    if images.shape != (200, 25, 25):
        raise ValueError(f"scikit-image's lfw_subset has shape {images.shape}; expected (200, 25, 25)")
    if images.max() > 1.0:  # documented as uint8 in some releases, float in [0, 1] in others
        images = images / 255.0
    labels = np.r_[np.ones(100, dtype=np.int64), np.zeros(100, dtype=np.int64)]
    return Dataset("lfw_subset", images[:, None], labels, FACE_CLASSES, augmentations=FACE_AUGMENTATIONS)


register_dataset(BuiltinDataset(
    name="lfw_subset",
    description="Labeled Faces in the Wild subset: 100 faces and 100 non-faces, 25×25 grey levels (2 classes); "
                "augmented queries: horizontal flip, one-pixel shifts; optional: pip install 'leakpro[faces]'",
    licence="research use, no formal licence (LFW, Huang et al. 2007, UMass Amherst; news photos of public "
            "figures), read offline from scikit-image's bundled copy (BSD-3-Clause); optional extra, not shipped "
            "with LeakPro",
    load=load_lfw_subset,
    recipe={"model": "cnn", "params": {"width": 16, "hidden": 64}, "epochs": 60, "batch_size": 16, "lr": 3e-3},
))
