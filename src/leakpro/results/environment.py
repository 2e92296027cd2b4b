"""Package versions recorded in every result, read without importing the packages."""

from __future__ import annotations

import platform
from importlib import metadata

PACKAGES = ("leakpro", "numpy", "scipy", "scikit-learn", "pandas", "torch", "pydantic", "xgboost-cpu",
            "lightgbm", "skops", "safetensors", "opacus", "flwr")


def package_versions(packages: tuple[str, ...] = PACKAGES) -> dict[str, str]:
    """Python's version and each installed package's; packages that are not installed are left out."""
    versions = {"python": platform.python_version()}
    for name in packages:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions
