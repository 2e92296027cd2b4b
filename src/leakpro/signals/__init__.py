"""Signals: model outputs on audit records, computed once and shared by every attack."""
