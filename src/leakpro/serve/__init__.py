"""Serve a model as a JSON prediction endpoint, to try the API threat model locally (``leakpro serve-model``)."""

from leakpro.serve.command import serve_model_command
from leakpro.serve.load import load_served_model
from leakpro.serve.server import ModelServer, serve_model

__all__ = ["ModelServer", "load_served_model", "serve_model", "serve_model_command"]
