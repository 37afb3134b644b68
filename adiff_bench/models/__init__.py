"""Models: the interface (``base``), the registry of names, and the built-in and external adapters.

Nothing is imported here, so ``import adiff_bench.models`` stays cheap; import the submodule you need.
"""
