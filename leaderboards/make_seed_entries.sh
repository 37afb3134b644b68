#!/usr/bin/env bash
# Rebuild the seed entries (caption-oracle, constant) from scratch with the harness itself:
# run -> export -> submit -> leaderboard. Usage: leaderboards/make_seed_entries.sh [DATA_DIR] [METRICS]
# The seeds here were made with DATA_DIR=/work/shared/data/adiff_official and METRICS=lexical,SPICE,SBERT
# (SPICE had no CoreNLP jars on that machine, so it is stored as unavailable with the reason, and the tables
# fall back to CIDEr-D and say so).
set -euo pipefail
DATA_DIR=$(realpath "${1:-$(dirname "$0")/../../shared/data/adiff_official}")
METRICS=${2:-lexical,SPICE,SBERT}
BIN=${ADIFF_BENCH:-adiff-bench}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$(dirname "$0")/.."
for model in caption-oracle constant; do
  for task in "acd 1" "acd 2" "cld 1" "cld 2"; do
    set -- $task
    # the run's own scores are not used: submit re-scores everything
    "$BIN" run --model "$model" --dataset "$1" --tier "$2" --data-dir "$DATA_DIR" --metrics BLEU-4 \
      --output-dir "$WORK/runs" > /dev/null
  done
done
"$BIN" export "$WORK"/runs/caption-oracle/*/ --out "$WORK/caption-oracle.json" --organisation "adiff-bench" --kind oracle \
  --notes "Weight-free ORACLE: writes the difference from the two ground-truth captions with a tier template (reads the captions, not the audio)."
"$BIN" export "$WORK"/runs/constant/*/ --out "$WORK/constant.json" --organisation "adiff-bench" \
  --notes "Weight-free lower bound: one tier-appropriate generic sentence for every pair."
for bundle in caption-oracle constant; do
  "$BIN" submit "$WORK/$bundle.json" --data-dir "$DATA_DIR" --metrics "$METRICS" --replace --no-regenerate \
    --leaderboard-dir leaderboards
done
"$BIN" leaderboard --leaderboard-dir leaderboards
