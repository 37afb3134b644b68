"""Processor-based transformers audio-language models: both clips in one user turn, greedy decoding.

One base class does the work (prompt rendering, batching with left padding, generation, decoding); the
Qwen adapters only name their classes and prompt. Audio goes to the processor as ``audio=``: a misspelt
``audios=`` has been silently dropped under transformers 5 (every pair then gets the same text-only answer;
5.24 raises instead), so ``prepare_inputs`` refuses to go on when the processor returned no audio features.
"""

from __future__ import annotations

import copy
import hashlib
import importlib.util
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from adiff_bench.errors import ModelError
from adiff_bench.extras import check
from adiff_bench.models.base import ModelNeeds, Request
from adiff_bench.models.external.prompts import HF_ALM_V1, PromptTemplate, truncation_note
from adiff_bench.models.external.sources import ModelSource, resolve_source

if TYPE_CHECKING:
    import numpy as np

# Keys a processor returns for the text side; anything else is what the audio became.
_TEXT_KEYS = frozenset({"input_ids", "attention_mask", "token_type_ids", "position_ids", "mm_token_type_ids"})
_DTYPES = ("float32", "bfloat16", "float16")

# Every decoding field that changes which token is picked, set explicitly to plain greedy decoding. A
# checkpoint's generation_config.json is NOT inherited (Qwen2-Audio-Instruct's says do_sample, top_k 0,
# top_p 0.5, repetition_penalty 1.1): only its special-token ids are. transformers fills any field left None
# from the model's own generation_config, so the loaded model gets this config too (see ``load``).
GREEDY: dict[str, Any] = {
    "do_sample": False,
    "num_beams": 1,
    "num_beam_groups": 1,
    "num_return_sequences": 1,
    "temperature": 1.0,
    "top_k": None,  # off (transformers warns about top_k=0 without sampling)
    "top_p": 1.0,
    "typical_p": 1.0,
    "min_p": None,
    "epsilon_cutoff": 0.0,
    "eta_cutoff": 0.0,
    "repetition_penalty": 1.0,
    "encoder_repetition_penalty": 1.0,
    "no_repeat_ngram_size": 0,
    "encoder_no_repeat_ngram_size": 0,
    "length_penalty": 1.0,
    "diversity_penalty": 0.0,
    "early_stopping": False,
    "min_length": 0,
    "min_new_tokens": None,
    "max_length": None,
    "max_time": None,
    "stop_strings": None,
    "bad_words_ids": None,
    "sequence_bias": None,
    "suppress_tokens": None,
    "begin_suppress_tokens": None,
    "forced_bos_token_id": None,
    "forced_eos_token_id": None,
    "exponential_decay_length_penalty": None,
    "renormalize_logits": False,
    "remove_invalid_values": False,
    "guidance_scale": None,
    "watermarking_config": None,
    "penalty_alpha": None,
    "dola_layers": None,
    "low_memory": None,
}
# Copied from the checkpoint: which ids end or pad a sequence are part of the model, not a decoding choice.
_TOKEN_IDS = ("eos_token_id", "pad_token_id", "bos_token_id", "decoder_start_token_id")


class ProcessorALM:
    """A transformers model with a processor whose chat template accepts several audios in one turn."""

    name: str = "hf-alm"
    template: PromptTemplate = HF_ALM_V1
    default_model: str | None = None
    model_class_name: str = "AutoModelForMultimodalLM"
    processor_class_name: str = "AutoProcessor"
    sample_rate: int = 16000
    # Python packages the processor needs beyond transformers, checked before anything is downloaded.
    requires: tuple[str, ...] = ()

    def __init__(
        self,
        model: str | None = None,
        revision: str | None = None,
        device: str = "auto",
        dtype: str = "auto",
        max_new_tokens: int = 256,
        do_sample: bool | None = None,
        num_beams: int | None = None,
        temperature: float | None = None,
        top_k: int | None = None,
        top_p: float | None = None,
        repetition_penalty: float | None = None,
        no_repeat_ngram_size: int | None = None,
    ) -> None:
        if max_new_tokens < 1:
            raise ModelError(f"model {self.name!r}: max_new_tokens={max_new_tokens} must be at least 1")
        self.generation_overrides = _check_overrides(
            self.name,
            {
                "do_sample": do_sample,
                "num_beams": num_beams,
                "temperature": temperature,
                "top_k": top_k,
                "top_p": top_p,
                "repetition_penalty": repetition_penalty,
                "no_repeat_ngram_size": no_repeat_ngram_size,
            },
        )
        if dtype != "auto" and dtype not in _DTYPES:
            raise ModelError(f"model {self.name!r}: dtype={dtype!r} is not one of auto, {', '.join(_DTYPES)}")
        check("torch", "transformers", extra="hf")
        self._check_requirements()
        self.source: ModelSource = resolve_source(model or self.default_model, revision, self.name)
        self.device_arg = device
        self.dtype_arg = dtype
        self.max_new_tokens = max_new_tokens
        self.processor = self._load_processor()
        self.needs = ModelNeeds(
            needs_audio=True, sample_rate=self.sample_rate, max_seconds=self._max_seconds(), short_clip="none"
        )
        self.labels_in_template = self._template_labels_audios()
        self._checkpoint_generation = self._read_checkpoint_generation_config()
        self.generation_config = self._effective_generation_config()
        self._model: Any = None

    # ---- processor and prompt -------------------------------------------------------------------------

    def _check_requirements(self) -> None:
        missing = [package for package in self.requires if importlib.util.find_spec(package) is None]
        if missing:
            raise ModelError(
                f"model {self.name!r} needs {', '.join(missing)} ({self.processor_class_name} imports it), "
                "which is not installed; pip install the release built for your torch"
            )

    def _load_processor(self) -> Any:
        import transformers

        cls = _transformers_attr(self.processor_class_name, self.name, "processor class")
        try:
            processor = cls.from_pretrained(str(self.source.local_dir))
        except Exception as exc:
            raise ModelError(
                f"model {self.name!r}: cannot load a processor from {self.source.local_dir} ({_reason(exc)})"
            ) from exc
        extractor = getattr(processor, "feature_extractor", None)
        rate = getattr(extractor, "sampling_rate", None)
        if rate != self.sample_rate:
            raise ModelError(
                f"model {self.name!r}: the processor in {self.source.local_dir} expects audio at {rate} Hz, "
                f"this adapter feeds {self.sample_rate} Hz; use a checkpoint whose feature extractor runs at "
                f"{self.sample_rate} Hz (transformers {transformers.__version__})"
            )
        if getattr(processor, "chat_template", None) is None:
            raise ModelError(
                f"model {self.name!r}: the processor in {self.source.local_dir} has no chat template; "
                "add chat_template.json (or .jinja) to the model folder"
            )
        processor.tokenizer.padding_side = "left"  # generation continues from the right edge of every row
        return processor

    def _max_seconds(self) -> float | None:
        extractor = self.processor.feature_extractor
        samples = getattr(extractor, "n_samples", None)
        if samples:
            return float(samples) / self.sample_rate
        chunk = getattr(extractor, "chunk_length", None)
        return float(chunk) if chunk else None

    def _conversation(self, prompt: str, with_labels: bool) -> list[dict]:
        content: list[dict] = []
        for index in (1, 2):
            if with_labels:
                content.append({"type": "text", "text": self.template.label(index)})
            content.append({"type": "audio"})
        content.append({"type": "text", "text": self.template.user_text(prompt)})
        messages = [{"role": "system", "content": self.template.system}] if self.template.system is not None else []
        return [*messages, {"role": "user", "content": content}]

    def _render(self, prompt: str, with_labels: bool) -> str:
        return self.processor.apply_chat_template(
            self._conversation(prompt, with_labels), add_generation_prompt=True, tokenize=False
        )

    def _template_labels_audios(self) -> bool:
        """Qwen2-Audio's template writes "Audio N:" itself; other templates get the labels as text parts."""
        text = self._render("", with_labels=False)
        first, second = self.template.label(1), self.template.label(2)
        return first in text and second in text and text.index(first) < text.index(second)

    def render_prompt(self, request: Request) -> str:
        """The exact text given to the processor (before audio placeholders are expanded)."""
        return self._render(request.prompt, with_labels=not self.labels_in_template)

    def prompt_record(self) -> dict:
        return {
            "template": self.template.to_json(),
            "audio_labels": "chat template" if self.labels_in_template else "text parts",
            "example": self._render("{prompt}", with_labels=not self.labels_in_template),
            "truncation": truncation_note(self.needs.max_seconds),
            "generation": self.generation_record(),
            "model": self.source.reference,
            "revision": self.source.revision,
        }

    # ---- inputs, model and generation ----------------------------------------------------------------------

    def prepare_inputs(self, requests: Sequence[Request]) -> Any:
        """Processor output for a batch: texts left-padded, two audios per request in request order."""
        audios: list[np.ndarray] = []
        for request in requests:
            for field in ("audio1", "audio2"):
                clip = getattr(request, field)
                if clip is None or clip.size == 0:
                    raise ModelError(
                        f"model {self.name!r}: item {request.item_id!r} has no {field} samples; "
                        "run it through the harness, which loads audio for models with needs_audio=True"
                    )
                audios.append(clip)
        texts = [self.render_prompt(r) for r in requests]
        inputs = self.processor(
            text=texts, audio=audios, sampling_rate=self.sample_rate, padding=True, return_tensors="pt"
        )
        audio_keys = [k for k in inputs if k not in _TEXT_KEYS]
        if not audio_keys:
            raise ModelError(
                f"model {self.name!r}: the processor returned no audio features (keys: {', '.join(inputs)}); "
                "the audio would be ignored, so nothing was generated"
            )
        return inputs

    def _resolved_device_dtype(self) -> tuple[str, Any]:
        import torch

        device = self.device_arg
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        dtype = self.dtype_arg
        if dtype == "auto":
            dtype = "bfloat16" if device.startswith("cuda") else "float32"
        return device, getattr(torch, dtype)

    def load(self) -> Any:
        """Load the weights once, on first use: building the model for its fingerprint costs nothing."""
        if self._model is None:
            device, dtype = self._resolved_device_dtype()
            cls = _transformers_attr(self.model_class_name, self.name, "model class")
            try:
                model = cls.from_pretrained(str(self.source.local_dir), dtype=dtype)
                model = model.to(device).eval()
                # generate() fills any None field from the model's own config: give it ours, so nothing of the
                # checkpoint's decoding settings can come back that way.
                model.generation_config = copy.deepcopy(self.generation_config)
                self._model = model
            except Exception as exc:
                where = f"{self.model_class_name} from {self.source.local_dir}"
                raise ModelError(f"model {self.name!r}: cannot load {where} ({_reason(exc)})") from exc
        return self._model

    # ---- decoding settings -----------------------------------------------------------------------------

    def _read_checkpoint_generation_config(self) -> Any:
        """The checkpoint's generation_config.json (None when it has none); read for its token ids and to
        record which of its decoding settings are not used."""
        from transformers import GenerationConfig

        if not (self.source.local_dir / "generation_config.json").is_file():
            return None
        try:
            return GenerationConfig.from_pretrained(str(self.source.local_dir))
        except Exception as exc:
            raise ModelError(
                f"model {self.name!r}: cannot read {self.source.local_dir / 'generation_config.json'} ({_reason(exc)})"
            ) from exc

    def _effective_generation_config(self) -> Any:
        """Greedy decoding with every field set, the checkpoint's token ids, the user's overrides."""
        from transformers import GenerationConfig

        config = GenerationConfig()
        checkpoint = self._checkpoint_generation
        tokenizer = self.processor.tokenizer
        for key in _TOKEN_IDS:
            value = getattr(checkpoint, key, None) if checkpoint is not None else None
            if value is None and key in ("eos_token_id", "pad_token_id"):
                value = getattr(tokenizer, key, None)
            setattr(config, key, value)
        if config.pad_token_id is None:
            eos = config.eos_token_id
            config.pad_token_id = eos[0] if isinstance(eos, list) and eos else eos
        for key, value in {**GREEDY, **self.generation_overrides, "max_new_tokens": self.max_new_tokens}.items():
            setattr(config, key, value)
        return config

    def generation_record(self) -> dict:
        """Every decoding setting used (None: off), what the user overrode, and which decoding settings of the
        checkpoint's generation_config.json were not applied, so a record never says greedy while it was not."""
        used = self.generation_config.to_dict()
        used = {k: v for k, v in sorted(used.items()) if (v is not None or k in GREEDY) and not k.startswith("_")}
        used.pop("transformers_version", None)
        ignored: dict[str, Any] = {}
        if self._checkpoint_generation is not None:
            for key, value in sorted(self._checkpoint_generation.to_diff_dict().items()):
                if key not in GREEDY and key != "max_new_tokens":
                    continue  # token ids are taken over; output/cache flags do not change the text
                if value != getattr(self.generation_config, key, None):
                    ignored[key] = value
        return {
            "strategy": "sample" if used.get("do_sample") else ("beam" if used.get("num_beams", 1) > 1 else "greedy"),
            "config": used,
            "overrides": dict(self.generation_overrides),
            "checkpoint_settings_not_used": ignored,
        }

    def generate(self, requests: Sequence[Request]) -> list[str]:
        if not requests:
            return []
        import torch

        model = self.load()
        inputs = self.prepare_inputs(requests)
        device = next(model.parameters()).device
        dtype = next(model.parameters()).dtype
        batch = {
            key: value.to(device=device, dtype=dtype) if value.is_floating_point() else value.to(device)
            for key, value in inputs.items()
            if isinstance(value, torch.Tensor)
        }
        with torch.inference_mode():
            output = model.generate(**batch, generation_config=copy.deepcopy(self.generation_config))
        sequences = output.sequences if hasattr(output, "sequences") else output
        new_tokens = sequences[:, batch["input_ids"].shape[1] :]
        texts = self.processor.tokenizer.batch_decode(new_tokens, skip_special_tokens=True)
        return [text.strip() for text in texts]

    def fingerprint(self) -> str:
        import transformers

        device, dtype = self._resolved_device_dtype()
        parts = {
            "adapter": self.name,
            "model_class": self.model_class_name,
            "files": self.source.identity(),
            "revision": self.source.revision,
            "dtype": str(dtype),
            "max_new_tokens": self.max_new_tokens,
            "generation": self.generation_record()["config"],
            "template": self.template.to_json(),
            "labels_in_template": self.labels_in_template,
            "transformers": transformers.__version__,
        }
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def _reason(exc: BaseException) -> str:
    """One line for a ModelError: the first line of the error, plus what to install when it is torchvision."""
    chain, seen = [], exc
    while seen is not None and len(chain) < 5:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    first = next((line.strip() for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
    if any("torchvision" in str(e).lower() for e in chain):
        first += "; this processor needs torchvision: pip install the torchvision release built for your torch"
    return first


def _transformers_attr(attribute: str, model_name: str, what: str) -> Any:
    import transformers

    try:
        return getattr(transformers, attribute)
    except (AttributeError, ImportError) as exc:
        raise ModelError(
            f"model {model_name!r}: transformers {transformers.__version__} cannot provide {what} {attribute!r} "
            f"({_reason(exc)})"
        ) from exc


def _check_overrides(model_name: str, given: dict[str, Any]) -> dict[str, Any]:
    """The decoding settings the user chose (None = not given), checked before anything loads."""
    chosen = {k: v for k, v in given.items() if v is not None}
    rules = {
        "num_beams": (lambda v: v >= 1, "at least 1"),
        "temperature": (lambda v: v > 0, "above 0"),
        "top_k": (lambda v: v >= 0, "0 (off) or more"),
        "top_p": (lambda v: 0 < v <= 1, "in (0, 1]"),
        "repetition_penalty": (lambda v: v > 0, "above 0 (1.0 is off)"),
        "no_repeat_ngram_size": (lambda v: v >= 0, "0 (off) or more"),
    }
    for key, value in chosen.items():
        rule = rules.get(key)
        if rule is not None and not rule[0](value):
            raise ModelError(f"model {model_name!r}: {key}={value} must be {rule[1]}")
    sampling = [k for k in ("temperature", "top_k", "top_p") if k in chosen]
    if sampling and not chosen.get("do_sample"):
        raise ModelError(
            f"model {model_name!r}: {', '.join(sampling)} only act when sampling; add do_sample=true or leave them out"
        )
    return chosen


class HfAudioLanguageModel(ProcessorALM):
    """``hf-alm``: any transformers ALM whose processor takes ``audio=`` and whose template takes two audios."""

    name = "hf-alm"

    def __init__(
        self,
        model: str | None = None,
        model_class: str = "AutoModelForMultimodalLM",
        processor_class: str = "AutoProcessor",
        revision: str | None = None,
        device: str = "auto",
        dtype: str = "auto",
        max_new_tokens: int = 256,
        do_sample: bool | None = None,
        num_beams: int | None = None,
        temperature: float | None = None,
        top_k: int | None = None,
        top_p: float | None = None,
        repetition_penalty: float | None = None,
        no_repeat_ngram_size: int | None = None,
    ) -> None:
        self.model_class_name = model_class
        self.processor_class_name = processor_class
        super().__init__(
            model=model,
            revision=revision,
            device=device,
            dtype=dtype,
            max_new_tokens=max_new_tokens,
            do_sample=do_sample,
            num_beams=num_beams,
            temperature=temperature,
            top_k=top_k,
            top_p=top_p,
            repetition_penalty=repetition_penalty,
            no_repeat_ngram_size=no_repeat_ngram_size,
        )
