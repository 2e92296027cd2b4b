"""Class inversion (MI-Face) on digits: the trained CNN gives its classes away, an untrained one does not."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from leakpro.attacks.inversion.class_inversion import (
    ClassInversion,
    judge_inversion,
    nearest_distance,
    pca_basis,
    total_variation,
)
from leakpro.commands.inversion_demo import run_inversion_demo


@pytest.fixture(scope="module")
def inversion(tmp_path_factory: pytest.TempPathFactory) -> tuple[list, Path]:
    out = tmp_path_factory.mktemp("inversion")
    return run_inversion_demo(out, seed=0), out


def test_known_answers():
    flat = torch.full((1, 1, 4, 4), 0.3)
    assert float(total_variation(flat)[0]) == 0.0
    step = torch.zeros(1, 1, 2, 2)
    step[..., 1] = 1.0
    assert float(total_variation(step)[0]) == pytest.approx(1.0)
    a = np.zeros((2, 3))
    a[1] = 2.0
    assert nearest_distance(a, np.array([[0.0, 0, 0], [2.0, 2, 1]])).tolist() == pytest.approx([0.0, 1.0])


def test_copies_of_members_are_judged_nearer_the_members_than_non_members():
    """The distance check can fail: 'reconstructions' that copy member images sit at distance 0 from the
    members and clearly farther from as many non-members of the same classes."""
    rng = np.random.default_rng(0)
    members, non_members = rng.random((40, 1, 4, 4)), rng.random((40, 1, 4, 4))
    labels = np.repeat([0, 1], 20)
    copies = np.stack([members[labels == c][:3] for c in (0, 1)])  # (2 classes, 3 restarts, 1, 4, 4)
    evaluate = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(16, 2))
    result = judge_inversion(copies, evaluate, members, labels, non_members, labels, target="t", seed=0,
                             non_member=(non_members, labels))
    assert result.nearest_private_distance == [0.0, 0.0]
    assert result.nearest_non_member_distance is not None and min(result.nearest_non_member_distance) > 0.5


def test_pca_prior_searches_the_span_of_the_public_images():
    rng = np.random.default_rng(0)
    public = (rng.random((30, 1, 4, 4)) * 0.5 + 0.25).astype(np.float32)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(16, 3))
    attack = ClassInversion(prior="pca", components=3, steps=20, restarts=2, lr=0.1, bounds=(-10.0, 10.0),
                            random_state=0)
    images = attack.run(model, 3, (1, 4, 4), public=public)
    mean, basis = pca_basis(public, 3)
    centred = images.reshape(6, 16) - mean.numpy()
    coef, *_ = np.linalg.lstsq(basis.numpy().T, centred.T, rcond=None)
    assert np.allclose(basis.numpy().T @ coef, centred.T, atol=1e-4)  # nothing outside the public span
    assert np.abs(centred).max() > 1e-3  # and it moved
    with pytest.raises(ValueError, match="public"):
        ClassInversion(prior="pca").run(model, 3, (1, 4, 4))


def test_reconstructions_stay_in_the_box():
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(16, 3))
    images = ClassInversion(steps=20, restarts=2, lr=0.5, random_state=1).run(model, 3, (1, 4, 4))
    assert images.shape == (3, 2, 1, 4, 4)
    assert images.min() >= 0.0 and images.max() <= 1.0
    with pytest.raises(ValueError):
        ClassInversion(stepz=3)


def test_trained_target_reveals_its_classes(inversion):
    results, out = inversion
    target = next(r for r in results if r.target == "target")
    assert target.evaluator_accuracy > 0.85
    assert target.above_chance and target.attack_accuracy.low > 0.1, target.attack_accuracy
    assert target.classes_recovered >= 5
    assert (out / "inversion-target.png").stat().st_size > 0 and (out / "inversion.json").is_file()


def test_untrained_control_near_chance(inversion):
    results, _ = inversion
    null = next(r for r in results if r.target == "untrained")
    assert not null.above_chance and null.attack_accuracy.value < 0.3, null.attack_accuracy
    assert null.classes_recovered <= 3
    target = next(r for r in results if r.target == "target")
    assert np.mean(target.nearest_private_distance) < np.mean(null.nearest_private_distance)
    trained_elsewhere = next(r for r in results if r.target == "null")  # the classes, without the private half
    assert trained_elsewhere.attack_accuracy.high >= target.attack_accuracy.low
    # class-level features, not copies: as near the public half (as many images) as the private half
    assert target.nearest_non_member_distance is not None
    assert abs(np.mean(target.nearest_private_distance) / np.mean(target.nearest_non_member_distance) - 1) < 0.1
