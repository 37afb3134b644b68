"""Datasets and tasks: official ACD/CLD CSVs, the generated ``synth`` set, checks and downloads."""
