"""Several tasks in one command: the paper's main table from a set of finished runs."""
