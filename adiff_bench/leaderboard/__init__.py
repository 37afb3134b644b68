"""Leaderboards: submission bundles, re-scoring on our side, and Markdown / LaTeX / HTML / JSON tables.

Entry points: :func:`adiff_bench.leaderboard.export.export_runs`, :func:`adiff_bench.leaderboard.submit.submit`,
:func:`adiff_bench.leaderboard.build.regenerate` and :func:`adiff_bench.leaderboard.submit.verify_all`.
"""
