"""Fixtures for the API threat model: a trained Adult MLP on disk, real servers on 127.0.0.1 (ephemeral
ports, started in a thread, shut down after), and a scripted server for failure cases."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import torch
from safetensors.torch import save_file

from helpers import NUMERIC, adult_table
from leakpro.serve import ModelServer
from leakpro.targets.torch_target import TorchTarget
from leakpro.training.models import MLP

HIDDEN = [64, 64]
RECIPE = {"optimizer": "adam", "lr": 1e-2, "epochs": 30, "batch_size": 600}


def data_spec(path: Path) -> dict[str, Any]:
    return {"table": path.name, "label": "income", "members": {"column": "in_training"},
            "population": {"column": "is_population"}, "features": NUMERIC}


def http_cfg(path: Path, url: str, attacks: list[Any], threat: str = "scores", **http: Any) -> dict[str, Any]:
    """An audit config for an HTTP target whose reference models follow the MLP recipe."""
    recipe = {**RECIPE, "model": "mlp", "params": {"hidden": HIDDEN}}
    return {"seed": 0, "data": data_spec(path), "attacks": attacks, "threat_model": threat,
            "target": {"kind": "http", "http": {"url": url, "batch_size": 500, **http}, "recipe": recipe}}


def by_id(result: Any) -> dict[str, Any]:
    return {a.id: a for a in result.targets[0].attacks}


def train_mlp(frame: pd.DataFrame) -> MLP:
    """An MLP overfit on the members (full batch, 300 Adam steps, one thread)."""
    members = frame[frame["in_training"]]
    x = torch.tensor(members[NUMERIC].to_numpy(np.float32))
    y = torch.tensor(members["income"].map({"<=50K": 0, ">50K": 1}).to_numpy())
    torch.manual_seed(0)
    torch.set_num_threads(1)
    model = MLP(len(NUMERIC), 2, hidden=tuple(HIDDEN))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(300):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    return model.eval()


@pytest.fixture(scope="module")
def adult_mlp(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, TorchTarget]:
    """(directory, table path, target): standardised numeric Adult columns and an MLP saved as safetensors."""
    tmp = tmp_path_factory.mktemp("api")
    path, frame = adult_table(tmp)
    for c in NUMERIC:
        frame[c] = (frame[c] - frame[c].mean()) / frame[c].std()
    frame.to_csv(path, index=False)
    model = train_mlp(frame)
    save_file(model.state_dict(), tmp / "mlp.safetensors")
    return tmp, path, TorchTarget(model, 2)


@pytest.fixture()
def served(adult_mlp: tuple[Path, Path, TorchTarget]) -> Iterator[ModelServer]:
    with ModelServer(adult_mlp[2], "127.0.0.1", 0) as server:
        yield server


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ScriptedServer:
    """Answers POSTs with a script of (status, body) replies; the last one repeats. Counts hits."""

    def __init__(self, replies: list[tuple[int, bytes]], delay_s: float = 0.0) -> None:
        self.replies, self.hits, self.delay_s = replies, 0, delay_s
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status, body = outer.replies[min(outer.hits, len(outer.replies) - 1)]
                outer.hits += 1
                if outer.delay_s:
                    threading.Event().wait(outer.delay_s)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: Any) -> None:
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/predict"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> ScriptedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def logits_reply(n: int, c: int = 2) -> tuple[int, bytes]:
    return 200, json.dumps({"logits": [[0.0] * c for _ in range(n)]}).encode()
