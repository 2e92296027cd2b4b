"""Attacks, one package per question (membership, ...), one module per attack."""
