"""Tiny random-weight audio-language models written to tmp folders, loaded through the real adapter path."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|audio_bos|>", "<|AUDIO|>", "<|audio_eos|>"]


def byte_vocab(extra: list[str]) -> dict[str, int]:
    """A byte-level vocabulary with no merges: every byte is a token, then the special tokens."""
    from transformers.convert_slow_tokenizer import bytes_to_unicode

    vocab = {char: index for index, char in enumerate(bytes_to_unicode().values())}
    for token in extra:
        vocab[token] = len(vocab)
    return vocab


@pytest.fixture(scope="session")
def tiny_qwen2_audio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch
    from transformers import (
        Qwen2AudioConfig,
        Qwen2AudioForConditionalGeneration,
        Qwen2AudioProcessor,
        Qwen2Tokenizer,
        WhisperFeatureExtractor,
    )

    folder = tmp_path_factory.mktemp("tiny-qwen2-audio")
    vocab = byte_vocab(SPECIALS)
    tokenizer = Qwen2Tokenizer(vocab=vocab, merges=[], additional_special_tokens=SPECIALS[1:])
    extractor = WhisperFeatureExtractor(feature_size=128, sampling_rate=16000)
    # No chat_template given: the processor's built-in default is Qwen2-Audio-Instruct's own template.
    processor = Qwen2AudioProcessor(feature_extractor=extractor, tokenizer=tokenizer)
    processor.save_pretrained(folder)
    config = Qwen2AudioConfig(
        audio_config={"d_model": 32, "encoder_layers": 2, "encoder_attention_heads": 2, "encoder_ffn_dim": 64},
        text_config={
            "hidden_size": 32,
            "num_hidden_layers": 2,
            "num_attention_heads": 2,
            "num_key_value_heads": 1,
            "intermediate_size": 64,
            "vocab_size": len(vocab),
            "max_position_embeddings": 1024,
            "initializer_range": 0.5,
        },
        audio_token_index=vocab["<|AUDIO|>"],
    )
    torch.manual_seed(0)
    model = Qwen2AudioForConditionalGeneration(config)
    model.generation_config.eos_token_id = vocab["<|im_end|>"]
    model.generation_config.pad_token_id = vocab["<|endoftext|>"]
    model.save_pretrained(folder)
    return folder


def clip(seconds: float, seed: int, rate: int = 16000) -> np.ndarray:
    """Deterministic noise-plus-tone audio; different seeds give clearly different spectra."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    tone = 0.3 * np.sin(2 * np.pi * (200 + 150 * seed) * t)
    return (tone + 0.05 * rng.standard_normal(t.size)).astype(np.float32)


@pytest.fixture(scope="session")
def make_clip():
    return clip


@pytest.fixture(scope="session")
def tiny_omni_thinker(tiny_qwen2_audio: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny Qwen2.5-Omni thinker next to the Qwen2-Audio processor files.

    transformers' Qwen2_5OmniProcessor cannot be built without torchvision (its video processor needs it);
    the audio side of both processors is the same (Whisper features padded to 30 s, the same placeholder
    count), so the thinker is driven here through Qwen2AudioProcessor.
    """
    import shutil

    import torch
    from transformers import Qwen2_5OmniThinkerConfig, Qwen2_5OmniThinkerForConditionalGeneration

    folder = tmp_path_factory.mktemp("tiny-omni-thinker")
    for path in tiny_qwen2_audio.iterdir():
        if path.name not in ("config.json", "model.safetensors", "generation_config.json"):
            shutil.copy(path, folder / path.name)
    vocab = byte_vocab(SPECIALS)
    unused = len(vocab)  # image/video ids the audio-only tests never emit
    config = Qwen2_5OmniThinkerConfig(
        audio_config={
            "d_model": 32,
            "encoder_layers": 2,
            "encoder_attention_heads": 2,
            "encoder_ffn_dim": 64,
            "output_dim": 32,
        },
        vision_config={
            "depth": 1,
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_heads": 2,
            "out_hidden_size": 32,
            "fullatt_block_indexes": [0],
        },
        text_config={
            "hidden_size": 32,
            "num_hidden_layers": 2,
            "num_attention_heads": 2,
            "num_key_value_heads": 1,
            "intermediate_size": 64,
            "vocab_size": len(vocab) + 4,
            "max_position_embeddings": 1024,
            "initializer_range": 0.5,
            "rope_parameters": {"rope_type": "default", "rope_theta": 10000.0, "mrope_section": [2, 3, 3]},
        },
        audio_token_index=vocab["<|AUDIO|>"],
        image_token_index=unused,
        video_token_index=unused + 1,
        vision_start_token_id=unused + 2,
        vision_end_token_id=unused + 3,
        audio_start_token_id=vocab["<|audio_bos|>"],
        audio_end_token_id=vocab["<|audio_eos|>"],
        user_token_id=vocab["u"],
    )
    torch.manual_seed(0)
    model = Qwen2_5OmniThinkerForConditionalGeneration(config)
    model.generation_config.eos_token_id = vocab["<|im_end|>"]
    model.generation_config.pad_token_id = vocab["<|endoftext|>"]
    model.save_pretrained(folder)
    return folder
