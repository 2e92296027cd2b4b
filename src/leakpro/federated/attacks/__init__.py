"""Server-side gradient-inversion attacks (one module each) and the curious client's membership inference."""

from leakpro.federated.attacks import dlg, idlg, inverting_gradients, tabular
from leakpro.federated.attacks.base import (
    Reconstruction,
    ServerAttack,
    ServerView,
    get_server_attack,
    registered_server_attacks,
)

__all__ = [
    "Reconstruction",
    "ServerAttack",
    "ServerView",
    "dlg",
    "get_server_attack",
    "idlg",
    "inverting_gradients",
    "registered_server_attacks",
    "tabular",
]
