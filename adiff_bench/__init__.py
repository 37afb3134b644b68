"""adiff-bench: the evaluation harness for audio difference explanation.

Importing the package is cheap: heavy dependencies (torch, transformers, Java metrics) are
imported only by the modules that need them, when they are used.
"""

__version__ = "0.1.0"
