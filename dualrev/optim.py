"""Optimizers (placeholder until written)."""
