"""Federated learning: what a curious server reconstructs from client updates, what a curious client learns.

Layers: :mod:`.data` and :mod:`.models` (datasets and small architectures), :mod:`.client` (what a client
computes and sends) and :mod:`.simulation` (rounds and aggregation), :mod:`.defences`, the attacks in
:mod:`.attacks`, :mod:`.metrics` (scored by the challenger), and the audit faces :mod:`.runner` and :mod:`.cli`.
"""
