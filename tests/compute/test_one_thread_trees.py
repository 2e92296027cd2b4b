"""Tree models used as reference models fit on one thread each; the executor supplies the parallelism."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from leakpro.targets.trainers import SklearnTrainer
from leakpro.training.threads import single_threaded_params


def _xy():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 4))
    return x, (x[:, 0] > 0).astype(np.int64)


@pytest.mark.parametrize("estimator, key", [
    (RandomForestClassifier(n_estimators=5, n_jobs=-1), "n_jobs"),
    (make_pipeline(StandardScaler(), RandomForestClassifier(n_estimators=5)), "randomforestclassifier__n_jobs"),
])
def test_reference_fits_use_one_thread_and_leave_the_prototype_alone(estimator, key):
    trainer = SklearnTrainer(estimator, 2)
    assert trainer.thread_params == {key: 1}
    fitted = trainer.fit(*_xy(), seed=3).estimator  # type: ignore[attr-defined]
    assert fitted.get_params()[key] == 1
    assert estimator.get_params()[key] != 1  # the user's object is not modified


def test_xgboost_and_lightgbm_threads_are_set():
    xgboost = pytest.importorskip("xgboost")
    lightgbm = pytest.importorskip("lightgbm")
    assert single_threaded_params(xgboost.XGBClassifier(n_estimators=3)) == {"n_jobs": 1}
    assert single_threaded_params(lightgbm.LGBMClassifier(n_estimators=3)) == {"n_jobs": 1}


def test_one_thread_does_not_change_a_forest():
    """n_jobs changes only the speed of a seeded forest, not its trees: references match a plain fit."""
    x, y = _xy()
    ref = SklearnTrainer(RandomForestClassifier(n_estimators=8, n_jobs=2), 2).fit(x, y, seed=5)
    plain = RandomForestClassifier(n_estimators=8, n_jobs=2, random_state=5).fit(x, y)
    np.testing.assert_allclose(ref.estimator.predict_proba(x), plain.predict_proba(x))  # type: ignore[attr-defined]


def test_the_audit_notes_say_how_many_threads_references_used():
    from types import SimpleNamespace

    from leakpro.audit.runner import _notes

    plan = SimpleNamespace(trainer=SklearnTrainer(RandomForestClassifier(n_jobs=-1), 2), skipped=[], reference_models=4,
                           game=SimpleNamespace(population=np.arange(3)),
                           config=SimpleNamespace(executor=SimpleNamespace(kind="process")))
    notes = " ".join(_notes(plan))  # type: ignore[arg-type]
    assert "one thread each (n_jobs=1 instead of -1" in notes and "executor (process)" in notes
    plan.trainer = SklearnTrainer(RandomForestClassifier(n_jobs=1), 2)
    assert "one thread each" not in " ".join(_notes(plan))  # type: ignore[arg-type]
