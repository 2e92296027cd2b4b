"""Progress of an audit in a notebook: tqdm bars (widgets in Jupyter when ipywidgets is installed, text bars
otherwise, on stderr), a timestamped line per stage; or nothing at all (``progress=False``)."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

from leakpro.audit.progress import ProgressSink, SilentProgress


def _bar_class() -> Any:
    """tqdm's notebook bar inside a Jupyter kernel with ipywidgets, else its text bar (tqdm.auto would raise
    ImportError at the first bar in a kernel without ipywidgets)."""
    from tqdm.std import tqdm

    shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    if shell is not None and "IPKernelApp" in getattr(shell, "config", {}):
        try:
            import ipywidgets  # noqa: F401
            from tqdm.notebook import tqdm as notebook_tqdm
        except ImportError:
            return tqdm
        return notebook_tqdm
    return tqdm


class TqdmProgress:
    """A :class:`~leakpro.audit.progress.ProgressSink` drawing tqdm bars for reference models and attacks."""

    def __init__(self, file: Any = None) -> None:
        self._bar = _bar_class()
        self._file = file if file is not None else sys.stderr
        self._bars: dict[str, Any] = {}

    def _write(self, text: str) -> None:
        self._bar.write(text, file=self._file)

    def stage(self, name: str) -> None:
        self._write(f"[{dt.datetime.now():%H:%M:%S}] {name}")

    def _update(self, key: str, description: str, done: int, total: int, postfix: str = "") -> None:
        bar = self._bars.get(key)
        if bar is None or bar.total != total or done < bar.n:
            if bar is not None:
                bar.close()
            bar = self._bars[key] = self._bar(total=total, desc=description, file=self._file, leave=True,
                                              dynamic_ncols=True)
        if postfix:
            bar.set_postfix_str(postfix, refresh=False)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()
            del self._bars[key]

    def models(self, done: int, total: int, cached: bool) -> None:
        self._update("refs", "reference models" + (" (cache)" if cached else ""), done, total)

    def attack(self, target: str, attack_id: str, done: int, total: int) -> None:
        self._update(f"attacks-{target}", f"attacks on {target}", done, total, attack_id)

    def close(self) -> None:
        for bar in self._bars.values():
            bar.close()
        self._bars.clear()


def progress_sink(progress: bool | ProgressSink) -> ProgressSink:
    """``True``: tqdm bars; ``False``: silent; or a sink of your own."""
    if progress is True:
        return TqdmProgress()
    if progress is False or progress is None:
        return SilentProgress()
    return progress
