"""ADIFF (audio difference explanation) re-implemented for adiff-bench; heavy imports live in the submodules."""
