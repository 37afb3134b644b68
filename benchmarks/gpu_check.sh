#!/usr/bin/env bash
# GPU check on a lent machine (no internet; python3 there holds torch): run from the repo root with
#   bash benchmarks/gpu_check.sh        (carry: .devcarry)
# .devcarry/ is git-ignored (.git/info/exclude) and prepared here beforehand:
#   .devcarry/adiff_tiny_golden/  a copy of ../shared/fixtures/adiff_tiny_golden (../shared does not travel)
#   .devcarry/whl/                cp312 x86-64 wheels missing there: soundfile, cffi, pycparser
# Extra arguments go to gpu_check.py. The log goes to $OUT/gpu_check.log when $OUT is set.
set -o pipefail
cd "$(dirname "$0")/.." || exit 1
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site \
  .devcarry/whl/*.whl || exit 1
export PYTHONPATH="/tmp/site:$PWD" PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false HF_HUB_OFFLINE=1
log="${OUT:-/tmp}/gpu_check.log"
{
  nvidia-smi -L
  python3 -c 'import sys, torch, transformers, soundfile; print("python", sys.version.split()[0], "torch",
torch.__version__, "cuda", torch.version.cuda, "transformers", transformers.__version__, "soundfile",
soundfile.__version__, "libsndfile", soundfile.__libsndfile_version__)'
  time python3 benchmarks/gpu_check.py --golden-dir .devcarry/adiff_tiny_golden "$@"
} 2>&1 | tee "$log"
