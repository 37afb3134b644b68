"""Runs: a frozen spec, append-only predictions, an atomic run record, resumable execution."""
