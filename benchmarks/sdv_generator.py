"""SDV behind LeakPro's ``command`` generator contract: ``python sdv_generator.py IN.csv OUT.csv N SEED [MODEL]``.

Run it with the python of a separate venv holding ``sdv==2.0.0`` (SDV pins pandas<3; LeakPro runs pandas 3), e.g.

    synthetic:
      generator:
        kind: command
        command: [/tmp/sdvvenv/bin/python, benchmarks/sdv_generator.py, "{input}", "{output}", "{n}", "{seed}"]

MODEL is ``gaussian_copula`` (default) or ``ctgan`` (20 epochs). It fits on the CSV at IN and writes N rows to OUT.
"""

from __future__ import annotations

import sys


def main() -> None:
    import numpy as np
    import pandas as pd
    from sdv.metadata import Metadata
    from sdv.single_table import CTGANSynthesizer, GaussianCopulaSynthesizer

    src, dst, n, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    model = sys.argv[5] if len(sys.argv) > 5 else "gaussian_copula"
    np.random.seed(seed)  # SDV draws from numpy's global generator
    frame = pd.read_csv(src)
    metadata = Metadata.detect_from_dataframes({"t": frame})
    if model == "ctgan":
        import torch

        torch.manual_seed(seed)
        synth = CTGANSynthesizer(metadata, epochs=20)
    else:
        synth = GaussianCopulaSynthesizer(metadata)
    synth.fit({"t": frame})  # SDV 2.0: tables are passed and returned as {name: DataFrame}
    out = synth.sample(n)
    (out["t"] if isinstance(out, dict) else out).to_csv(dst, index=False)


if __name__ == "__main__":
    main()
