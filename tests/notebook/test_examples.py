"""The example notebooks run end to end through a real Jupyter kernel (nbclient), and what they show is checked:
each notebook's last cell asserts on its figures and prints the verdict; here the executed outputs must hold the
verdict line and the result's own HTML view (page one's verdict, the attack table, the ROC)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

import leakpro

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
KERNEL = "leakpro-examples"


@pytest.fixture(scope="module")
def kernel(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A kernel spec for this interpreter in a temporary Jupyter path, importing the leakpro under test."""
    from ipykernel.kernelspec import install

    prefix = tmp_path_factory.mktemp("jupyter")
    install(kernel_name=KERNEL, prefix=str(prefix))  # argv: this sys.executable -m ipykernel_launcher
    patch = pytest.MonkeyPatch()
    patch.setenv("JUPYTER_PATH", str(prefix / "share" / "jupyter"))
    source = str(Path(leakpro.__file__).resolve().parents[1])  # src/ of the worktree or the installed package
    patch.setenv("PYTHONPATH", os.pathsep.join([source, *filter(None, [os.environ.get("PYTHONPATH")])]))
    patch.setenv("LEAKPRO_TORCH_THREADS", "1")
    # one OpenMP thread in the kernel too: the notebooks' own torch loops run before leakpro sets its threads,
    # and on a loaded machine torch's default (one thread per core) made 02's 40-epoch loop ~9x slower here
    patch.setenv("OMP_NUM_THREADS", "1")
    yield KERNEL
    patch.undo()


def _run(name: str, kernel: str, workdir: Path) -> list[dict]:
    import nbclient  # Jupyter's packages load here, not at collection in every test worker
    import nbformat

    book = nbformat.read(EXAMPLES / name, as_version=4)
    # the kernel is stopped at once after the last cell (its outputs and files are complete by then): a graceful
    # shutdown only waits for it to exit on its own
    nbclient.NotebookClient(book, timeout=300, kernel_name=kernel, shutdown_kernel="immediate",
                            resources={"metadata": {"path": str(workdir)}}).execute()
    return [out for cell in book.cells if cell.cell_type == "code" for out in cell.get("outputs", [])]


def _verdict(outputs: list[dict]) -> str:
    text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    found = re.search(r"^VERDICT: (Low|Moderate|High|Very high)\b", text, re.MULTILINE)
    assert found, text[-2000:]
    return found.group(1)


def _html(outputs: list[dict]) -> list[str]:
    return [o["data"]["text/html"] for o in outputs
            if o.get("output_type") in {"execute_result", "display_data"} and "text/html" in o.get("data", {})]


@pytest.mark.slow
def test_sklearn_pipeline_notebook(kernel: str, tmp_path: Path) -> None:
    outputs = _run("01_sklearn_pipeline_adult.ipynb", kernel, tmp_path)
    verdict = _verdict(outputs)
    view = next(h for h in _html(outputs) if "LeakPro membership audit" in h)
    assert f'data-level="{verdict}"' in view and "rmia-offline" in view and "<svg" in view
    assert "<script" not in view.lower()
    assert (tmp_path / "adult-report" / "report.html").is_file()
    assert (tmp_path / "adult-results" / "results.json").is_file()
    assert any((tmp_path / "adult-results" / "scores").glob("*.csv"))


@pytest.mark.slow
def test_pytorch_cnn_notebook(kernel: str, tmp_path: Path) -> None:
    outputs = _run("02_pytorch_cnn_digits.ipynb", kernel, tmp_path)
    verdict = _verdict(outputs)
    view = next(h for h in _html(outputs) if "LeakPro membership audit" in h)
    assert f'data-level="{verdict}"' in view and "Small CNN on digits" in view and "lira-offline" in view


@pytest.mark.slow
def test_synthetic_notebook(kernel: str, tmp_path: Path) -> None:
    outputs = _run("03_synthetic_table.ipynb", kernel, tmp_path)
    verdict = _verdict(outputs)
    assert verdict in {"High", "Very high"}
    views = [h for h in _html(outputs) if "LeakPro synthetic-data audit" in h]
    assert len(views) == 2 and f'data-level="{verdict}"' in views[0]
    assert (tmp_path / "synthetic-report" / "report.html").is_file()


def test_kernel_runs_this_interpreter(kernel: str) -> None:
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec(kernel)
    assert Path(spec.argv[0]).resolve() == Path(sys.executable).resolve()
