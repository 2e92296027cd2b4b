"""Training recipes: train a model "like the target" on a chosen subset (reference/shadow models)."""
