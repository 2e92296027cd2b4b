"""Every attack of every family, loaded for ``leakpro attacks``: importing a family's modules registers its cards."""

from __future__ import annotations

from leakpro.attacks.catalogue import AttackCard, cards


def every_attack() -> list[AttackCard]:
    """The cards of every family (see :data:`leakpro.attacks.catalogue.FAMILIES`), family by family."""
    import leakpro.attacks.extraction
    import leakpro.attacks.inversion.attribute_inference
    import leakpro.attacks.inversion.class_inversion
    import leakpro.attacks.llm
    import leakpro.attacks.llm.canaries
    import leakpro.attacks.membership
    import leakpro.attacks.property
    import leakpro.audit.dp_audit
    import leakpro.audit.one_run
    import leakpro.federated.attacks
    import leakpro.federated.attacks.client_mia
    import leakpro.synthetic.generator_audit
    import leakpro.synthetic.inference
    import leakpro.synthetic.linkability
    import leakpro.synthetic.membership
    import leakpro.synthetic.singling_out  # noqa: F401  (each family registers its cards on import)

    return cards()


def format_default(value: object) -> str:
    """A parameter's default as ``leakpro attacks`` shows it (``required`` for a required one)."""
    if value is ...:
        return "required"
    if hasattr(value, "model_dump"):
        return "{…}"  # a nested settings model (e.g. a recipe): too long for a table cell
    return repr(value) if isinstance(value, str) else str(value)
