"""Qwen2.5-Omni's thinker (text out only; the talker and its speech output are never loaded)."""

from __future__ import annotations

from adiff_bench.models.external.hf_alm import ProcessorALM
from adiff_bench.models.external.prompts import QWEN_OMNI_V1


class Qwen25OmniThinker(ProcessorALM):
    """``qwen2.5-omni``; ``model=`` takes a hub id or a local folder (default Qwen/Qwen2.5-Omni-7B)."""

    name = "qwen2.5-omni"
    template = QWEN_OMNI_V1
    default_model = "Qwen/Qwen2.5-Omni-7B"
    model_class_name = "Qwen2_5OmniThinkerForConditionalGeneration"
    processor_class_name = "Qwen2_5OmniProcessor"
    requires = ("torchvision",)  # transformers builds the Omni processor's video processor with it
