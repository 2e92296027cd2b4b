"""The command-line face: ``leakpro demo | audit | attacks | synthetic``."""
