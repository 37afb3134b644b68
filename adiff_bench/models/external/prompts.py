"""Versioned prompt templates: the exact words an external model sees are part of the run record."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class PromptTemplate:
    """How a pair and its tier prompt become one user turn; bump ``version`` whenever the words change."""

    name: str
    version: int
    system: str | None
    user_template: str = "{prompt}"
    label_template: str = "Audio {index}:"

    def user_text(self, prompt: str) -> str:
        return self.user_template.format(prompt=prompt)

    def label(self, index: int) -> str:
        return self.label_template.format(index=index)

    def to_json(self) -> dict:
        return asdict(self)


# Qwen2-Audio-Instruct's own default system prompt; its chat template writes "Audio N:" before each clip.
QWEN2_AUDIO_V1 = PromptTemplate(name="qwen2-audio-v1", version=1, system="You are a helpful assistant.")

# Qwen2.5-Omni's documented system prompt (the thinker was trained with it); only text is generated here.
QWEN_OMNI_V1 = PromptTemplate(
    name="qwen2.5-omni-v1",
    version=1,
    system=(
        "You are Qwen, a virtual human developed by the Qwen Team, Alibaba Group, capable of perceiving "
        "auditory and visual inputs, as well as generating text and speech."
    ),
)

# Other transformers ALMs: no system turn, so each chat template applies its own default.
HF_ALM_V1 = PromptTemplate(name="hf-alm-v1", version=1, system=None)

# OpenAI-compatible endpoints: no system turn (the server's chat template applies its default).
OPENAI_API_V1 = PromptTemplate(name="openai-api-v1", version=1, system=None)


def truncation_note(max_seconds: float | None) -> str:
    """The sentence a run record carries so nobody mistakes a 30 s view of a long clip for the whole clip."""
    if max_seconds is None:
        return "clips are passed at full length"
    return (
        f"clips longer than {max_seconds:g} s are truncated to their first {max_seconds:g} s "
        "(the model's audio encoder sees at most that much)"
    )
