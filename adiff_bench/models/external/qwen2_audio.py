"""Qwen2-Audio-Instruct through transformers: both clips in one turn, labelled by its own chat template."""

from __future__ import annotations

from adiff_bench.models.external.hf_alm import ProcessorALM
from adiff_bench.models.external.prompts import QWEN2_AUDIO_V1


class Qwen2Audio(ProcessorALM):
    """``qwen2-audio``; ``model=`` takes a hub id or a local folder (default Qwen/Qwen2-Audio-7B-Instruct)."""

    name = "qwen2-audio"
    template = QWEN2_AUDIO_V1
    default_model = "Qwen/Qwen2-Audio-7B-Instruct"
    model_class_name = "Qwen2AudioForConditionalGeneration"
    processor_class_name = "Qwen2AudioProcessor"
