"""GPT-2 BPE tokenizer with ADIFF's prompt handling: prompt + ' <|endoftext|>', right-padded with '!' (id 0)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from adiff_bench.errors import ModelError
from adiff_bench.models.adiff.config import TextConfig


def load_tokenizer(path: str | Path | None, pad_token: str = "!") -> Any:
    """From a folder with vocab.json + merges.txt, else the offline HF cache ('gpt2'), else a ModelError."""
    from transformers import GPT2TokenizerFast

    if path is not None:
        folder = Path(path)
        vocab, merges = folder / "vocab.json", folder / "merges.txt"
        if not (vocab.is_file() and merges.is_file()):
            raise ModelError(f"tokenizer={folder}: needs vocab.json and merges.txt in that folder (GPT-2 BPE files)")
        tokenizer = GPT2TokenizerFast.from_pretrained(str(folder), local_files_only=True)
    else:
        try:
            tokenizer = GPT2TokenizerFast.from_pretrained("gpt2", local_files_only=True)
        except Exception as exc:
            raise ModelError(
                "GPT-2 tokenizer not found offline: pass tokenizer=FOLDER (with vocab.json and merges.txt) "
                'or cache it once (online) with: python -c "import transformers as t; '
                "t.AutoTokenizer.from_pretrained('gpt2')\""
            ) from exc
    tokenizer.add_special_tokens({"pad_token": pad_token})
    return tokenizer


def encode_prompts(tokenizer: Any, prompts: Sequence[str], text: TextConfig) -> list[list[int]]:
    """Fixed-length ids as the official preprocessing builds them (truncated, then padded on the right)."""
    encoded = tokenizer(
        [p + text.prompt_suffix for p in prompts],
        max_length=text.ip_text_len,
        padding="max_length",
        truncation=True,
    )
    return [list(ids) for ids in encoded["input_ids"]]


def stop_token_id(tokenizer: Any, stop_token: str) -> int:
    """The official loop stops on the FIRST id of encode(stop_token): 220 (a space) for ' <|endoftext|>'."""
    ids = tokenizer.encode(stop_token)
    if not ids:
        raise ModelError(f"stop token {stop_token!r} encodes to no ids")
    return int(ids[0])


# transformers 4.28 (the official pin) cleaned up decoded text by default with exactly these replacements;
# newer versions skip it for BPE tokenizers, so it is applied here to reproduce the official strings.
_CLEANUP = (
    (" .", "."),
    (" ?", "?"),
    (" !", "!"),
    (" ,", ","),
    (" ' ", "'"),
    (" n't", "n't"),
    (" 'm", "'m"),
    (" 's", "'s"),
    (" 've", "'ve"),
    (" 're", "'re"),
)


def clean_up_tokenization(text: str) -> str:
    for old, new in _CLEANUP:
        text = text.replace(old, new)
    return text


def decode(tokenizer: Any, ids: Sequence[int]) -> str:
    """Decoding as the official code got it (transformers 4.28 default: clean-up of tokenization spaces on)."""
    return clean_up_tokenization(tokenizer.decode(list(ids), clean_up_tokenization_spaces=False))
