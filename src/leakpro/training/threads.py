"""One thread per model: reference models are many small independent fits, so parallelism belongs in the
executor (one job per core), never inside each fit as well.

Measured on the 2-core machine: an XGBoost reference model fit in 23–147 s with its default threads beside
other work and in 1.7 s with ``n_jobs=1``; 8 XGBoost references took 300 s under load against 3–14 s idle.
Thread pools inside each fit, on top of an executor's workers, oversubscribe the cores and spin.

>>> from sklearn.ensemble import RandomForestClassifier
>>> single_threaded_params(RandomForestClassifier(n_jobs=-1))
{'n_jobs': 1}
"""

from __future__ import annotations

from typing import Any

# Parameter names through which estimators take a thread count: scikit-learn and LightGBM (n_jobs,
# num_threads), XGBoost (n_jobs, nthread), CatBoost (thread_count). Nested estimators (pipelines) end in them.
THREAD_PARAMS = ("n_jobs", "nthread", "num_threads", "thread_count")


def single_threaded_params(estimator: Any) -> dict[str, int]:
    """The ``set_params`` update that makes a scikit-learn style estimator (and those nested in it) use one
    thread: every thread-count parameter it has, set to 1 (empty when it has none)."""
    try:
        params = estimator.get_params(deep=True)
    except Exception:
        return {}
    return {k: 1 for k in params if k.rsplit("__", 1)[-1] in THREAD_PARAMS and params[k] != 1}


def one_thread():  # type: ignore[no-untyped-def]
    """Limit OpenMP/BLAS pools to one thread: gradient boosting on a few thousand rows gains nothing
    from more, and on a loaded 2-core machine its spinning threads were measured 70× slower."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1)
