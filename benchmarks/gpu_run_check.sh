#!/usr/bin/env bash
# End-to-end `run` of the tiny ADIFF fixture on CUDA (synth tier 2, 200 pairs) on a lent GPU machine, from the
# repo root:  bash benchmarks/gpu_run_check.sh   (carry: .devcarry, prepared as benchmarks/gpu_check.sh says).
# The GPU machine has no pycocoevalcap, so metrics report "unavailable" there; the point is generation through
# the harness (audio pipeline, batching, decoding) on CUDA. predictions.jsonl goes to $OUT so the texts can be
# compared with a CPU run of the same command (device=cpu) on this machine.
set -o pipefail
cd "$(dirname "$0")/.." || exit 1
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site \
  .devcarry/whl/*.whl || exit 1
export PYTHONPATH="/tmp/site:$PWD" PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false HF_HUB_OFFLINE=1
export ADIFF_BENCH_CACHE=/tmp/adiff-cache
fixture=.devcarry/adiff_tiny_golden
out="${OUT:-/tmp}"
status=0
for batch in 32 200; do
  start=$(date +%s%N)
  python3 -m adiff_bench run --model adiff \
    --model-args "checkpoint=$fixture/adiff_tiny_seed0.ckpt,config=$fixture/config.json,tokenizer=$fixture,device=cuda,max_new_tokens=40" \
    --dataset synth --tier 2 --metrics ROUGE-L --no-ci --batch-size "$batch" --output-dir "/tmp/gpu-run-$batch" \
    2>&1 | tail -3 | tee -a "$out/gpu_run_check.log" || status=1
  echo "batch $batch: $(( ($(date +%s%N) - start) / 1000000 )) ms wall (synth generated in the first run)" \
    | tee -a "$out/gpu_run_check.log"
  cp /tmp/gpu-run-$batch/*/*/predictions.jsonl "$out/predictions_cuda_batch$batch.jsonl" || status=1
  cp /tmp/gpu-run-$batch/*/*/results.json "$out/results_cuda_batch$batch.json" || status=1
done
exit $status
