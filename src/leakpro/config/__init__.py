"""The audit config: parsed once at the edge (YAML → frozen pydantic values), validated up front."""

from leakpro.config.errors import ConfigError, ConfigIssue
from leakpro.config.schema import AuditConfig

__all__ = ["AuditConfig", "ConfigError", "ConfigIssue"]
