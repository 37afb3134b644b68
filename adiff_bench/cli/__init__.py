"""The command line: each subcommand lives in its own module and only wraps the Python API."""
