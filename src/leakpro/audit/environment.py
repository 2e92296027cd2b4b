"""Package versions recorded in every result, read without importing the packages."""

from __future__ import annotations

import platform
from importlib import metadata

PACKAGES = ("leakpro", "numpy", "scipy", "scikit-learn", "pandas", "torch", "pydantic", "xgboost-cpu",
            "lightgbm", "skops", "safetensors")


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions
