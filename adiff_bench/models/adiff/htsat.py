"""HTSAT audio encoder (hierarchical Swin transformer over a log-mel "image"), written for ADIFF's checkpoint.

Module and buffer names follow the released checkpoint (``audio_encoder.base.htsat.*``) so it loads strictly.
The STFT and mel filter bank are stored tensors (conv kernels / matrix), loaded from the checkpoint;
``init_frozen_filters`` computes them only for random-weight models.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from adiff_bench.models.adiff.config import HtsatConfig
from adiff_bench.models.adiff.mappers import Mlp


class _Stft(nn.Module):
    def __init__(self, n_fft: int, hop: int) -> None:
        super().__init__()
        bins = n_fft // 2 + 1
        self.n_fft = n_fft
        self.conv_real = nn.Conv1d(1, bins, n_fft, stride=hop, bias=False)
        self.conv_imag = nn.Conv1d(1, bins, n_fft, stride=hop, bias=False)


class _Spectrogram(nn.Module):
    """Power spectrogram, (B, samples) → (B, 1, frames, bins); centre padding is reflect."""

    def __init__(self, n_fft: int, hop: int) -> None:
        super().__init__()
        self.stft = _Stft(n_fft, hop)

    def forward(self, wave: torch.Tensor) -> torch.Tensor:
        pad = self.stft.n_fft // 2
        x = F.pad(wave[:, None, :], (pad, pad), mode="reflect")
        real = self.stft.conv_real(x)[:, None].transpose(2, 3)
        imag = self.stft.conv_imag(x)[:, None].transpose(2, 3)
        return real**2 + imag**2


class _LogMel(nn.Module):
    def __init__(self, bins: int, mel_bins: int, amin: float, ref: float) -> None:
        super().__init__()
        self.melW = nn.Parameter(torch.empty(bins, mel_bins), requires_grad=False)
        self.amin = amin
        self.ref = ref

    def forward(self, power: torch.Tensor) -> torch.Tensor:
        mel = torch.matmul(power, self.melW)
        db = 10.0 * torch.log10(torch.clamp(mel, min=self.amin))
        return db - 10.0 * math.log10(max(self.amin, self.ref))


def hann_dft_kernels(n_fft: int) -> tuple[np.ndarray, np.ndarray]:
    """Periodic-Hann-windowed DFT rows as conv kernels (bins, 1, n_fft): what the checkpoint stores."""
    n = np.arange(n_fft)
    window = 0.5 - 0.5 * np.cos(2 * np.pi * n / n_fft)
    k = np.arange(n_fft // 2 + 1)[:, None]
    angle = -2 * np.pi * k * n[None, :] / n_fft
    return (np.cos(angle) * window)[:, None, :], (np.sin(angle) * window)[:, None, :]


def slaney_mel_filterbank(sr: int, n_fft: int, n_mels: int, fmin: float, fmax: float) -> np.ndarray:
    """Slaney-scale, Slaney-normalised triangular filters, (n_fft//2+1, n_mels) (librosa's defaults)."""

    def hz_to_mel(f: np.ndarray) -> np.ndarray:
        f = np.asarray(f, dtype=np.float64)
        f_sp = 200.0 / 3
        mels = f / f_sp
        min_log_hz, logstep = 1000.0, np.log(6.4) / 27.0
        min_log_mel = min_log_hz / f_sp
        return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-12) / min_log_hz) / logstep, mels)

    def mel_to_hz(m: np.ndarray) -> np.ndarray:
        f_sp = 200.0 / 3
        freqs = f_sp * m
        min_log_hz, logstep = 1000.0, np.log(6.4) / 27.0
        min_log_mel = min_log_hz / f_sp
        return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), freqs)

    fft_freqs = np.linspace(0, sr / 2, n_fft // 2 + 1)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_f[2 : n_mels + 2] - mel_f[:n_mels]))[:, None]
    return weights.T


def window_partition(x: torch.Tensor, ws: int) -> torch.Tensor:
    b, h, w, c = x.shape
    x = x.view(b, h // ws, ws, w // ws, ws, c)
    return x.permute(0, 1, 3, 2, 4, 5).reshape(-1, ws, ws, c)


def window_reverse(windows: torch.Tensor, ws: int, h: int, w: int) -> torch.Tensor:
    b = int(windows.shape[0] / (h * w / ws / ws))
    x = windows.view(b, h // ws, w // ws, ws, ws, -1)
    return x.permute(0, 1, 3, 2, 4, 5).reshape(b, h, w, -1)


def _relative_position_index(ws: int) -> torch.Tensor:
    coords = torch.stack(torch.meshgrid(torch.arange(ws), torch.arange(ws), indexing="ij")).flatten(1)
    rel = (coords[:, :, None] - coords[:, None, :]).permute(1, 2, 0).contiguous()
    rel[:, :, 0] += ws - 1
    rel[:, :, 1] += ws - 1
    rel[:, :, 0] *= 2 * ws - 1
    return rel.sum(-1)


def _shift_mask(h: int, w: int, ws: int, shift: int) -> torch.Tensor:
    img = torch.zeros(1, h, w, 1)
    spans = (slice(0, -ws), slice(-ws, -shift), slice(-shift, None))
    count = 0
    for hs in spans:
        for wsl in spans:
            img[:, hs, wsl, :] = count
            count += 1
    windows = window_partition(img, ws).view(-1, ws * ws)
    mask = windows[:, None, :] - windows[:, :, None]
    return mask.masked_fill(mask != 0, -100.0).masked_fill(mask == 0, 0.0)


class WindowAttention(nn.Module):
    def __init__(self, dim: int, ws: int, heads: int, qkv_bias: bool) -> None:
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.relative_position_bias_table = nn.Parameter(torch.zeros((2 * ws - 1) ** 2, heads))
        self.register_buffer("relative_position_index", _relative_position_index(ws))
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        bw, n, c = x.shape
        qkv = self.qkv(x).reshape(bw, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0] * self.scale, qkv[1], qkv[2]
        attn = q @ k.transpose(-2, -1)
        bias = self.relative_position_bias_table[self.relative_position_index.view(-1)].view(n, n, -1)
        attn = attn + bias.permute(2, 0, 1).contiguous().unsqueeze(0)
        if mask is not None:
            nw = mask.shape[0]
            attn = attn.view(bw // nw, nw, self.heads, n, n) + mask.unsqueeze(1).unsqueeze(0)
            attn = attn.view(-1, self.heads, n, n)
        attn = attn.softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(bw, n, c))


class SwinBlock(nn.Module):
    def __init__(self, dim: int, resolution: int, heads: int, ws: int, shift: int, cfg: HtsatConfig) -> None:
        super().__init__()
        if resolution <= ws:  # the window covers the whole map: no shift
            ws, shift = resolution, 0
        self.resolution, self.ws, self.shift = resolution, ws, shift
        self.norm1 = nn.LayerNorm(dim, eps=cfg.layer_norm_eps)
        self.attn = WindowAttention(dim, ws, heads, cfg.qkv_bias)
        self.norm2 = nn.LayerNorm(dim, eps=cfg.layer_norm_eps)
        self.mlp = Mlp(dim, int(dim * cfg.mlp_ratio), F.gelu)
        self.register_buffer("attn_mask", _shift_mask(resolution, resolution, ws, shift) if shift else None)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = w = self.resolution
        b, _, c = x.shape
        shortcut = x
        x = self.norm1(x).view(b, h, w, c)
        if self.shift:
            x = torch.roll(x, shifts=(-self.shift, -self.shift), dims=(1, 2))
        windows = window_partition(x, self.ws).view(-1, self.ws * self.ws, c)
        windows = self.attn(windows, self.attn_mask).view(-1, self.ws, self.ws, c)
        x = window_reverse(windows, self.ws, h, w)
        if self.shift:
            x = torch.roll(x, shifts=(self.shift, self.shift), dims=(1, 2))
        x = shortcut + x.reshape(b, h * w, c)
        return x + self.mlp(self.norm2(x))


class PatchMerging(nn.Module):
    def __init__(self, dim: int, resolution: int, eps: float) -> None:
        super().__init__()
        self.resolution = resolution
        self.reduction = nn.Linear(4 * dim, 2 * dim, bias=False)
        self.norm = nn.LayerNorm(4 * dim, eps=eps)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, _, c = x.shape
        x = x.view(b, self.resolution, self.resolution, c)
        x = torch.cat([x[:, 0::2, 0::2], x[:, 1::2, 0::2], x[:, 0::2, 1::2], x[:, 1::2, 1::2]], -1)
        return self.reduction(self.norm(x.view(b, -1, 4 * c)))


class Stage(nn.Module):
    def __init__(self, dim: int, resolution: int, depth: int, heads: int, cfg: HtsatConfig, merge: bool) -> None:
        super().__init__()
        self.blocks = nn.ModuleList(
            SwinBlock(dim, resolution, heads, cfg.window_size, 0 if i % 2 == 0 else cfg.window_size // 2, cfg)
            for i in range(depth)
        )
        self.downsample = PatchMerging(dim, resolution, cfg.layer_norm_eps) if merge else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for block in self.blocks:
            x = block(x)
        return self.downsample(x) if self.downsample is not None else x


class _PatchEmbed(nn.Module):
    def __init__(self, cfg: HtsatConfig) -> None:
        super().__init__()
        pad = tuple((cfg.patch_size - s) // 2 for s in cfg.patch_stride)
        self.proj = nn.Conv2d(cfg.in_chans, cfg.embed_dim, cfg.patch_size, stride=cfg.patch_stride, padding=pad)
        self.norm = nn.LayerNorm(cfg.embed_dim, eps=cfg.layer_norm_eps)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(self.proj(x).flatten(2).transpose(1, 2))


class Htsat(nn.Module):
    """Waveform (B, clip_samples) → dict(logmel, embedding = latent_output, clipwise)."""

    def __init__(self, cfg: HtsatConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.spectrogram_extractor = _Spectrogram(cfg.n_fft, cfg.hop_size)
        self.logmel_extractor = _LogMel(cfg.n_fft // 2 + 1, cfg.mel_bins, cfg.amin, cfg.ref)
        for p in self.spectrogram_extractor.parameters():
            p.requires_grad_(False)
        self.bn0 = nn.BatchNorm2d(cfg.mel_bins)
        self.patch_embed = _PatchEmbed(cfg)
        grid = cfg.spec_size // cfg.patch_stride[0]
        n = len(cfg.depths)
        self.layers = nn.ModuleList(
            Stage(cfg.embed_dim * 2**i, grid // 2**i, cfg.depths[i], cfg.num_heads[i], cfg, merge=i < n - 1)
            for i in range(n)
        )
        self.norm = nn.LayerNorm(cfg.num_features, eps=cfg.layer_norm_eps)
        sf = cfg.spec_size // 2 ** (n - 1) // cfg.patch_stride[0] // cfg.freq_ratio
        self.tscam_conv = nn.Conv2d(cfg.num_features, cfg.num_classes, kernel_size=(sf, 3), padding=(0, 1))
        self.head = nn.Linear(cfg.num_classes, cfg.num_classes)  # stored in the checkpoint, unused with tscam

    def logmel(self, wave: torch.Tensor) -> torch.Tensor:
        """(B, samples) → (B, 1, frames, mel_bins) in dB, before bn0; always computed in float32."""
        frontend_dtype = self.logmel_extractor.melW.dtype
        return self.logmel_extractor(self.spectrogram_extractor(wave.to(frontend_dtype)))

    def to_image(self, x: torch.Tensor) -> torch.Tensor:
        """Resize the time axis to spec_size*freq_ratio (bicubic) and fold it into a square image."""
        b, c, t, f = x.shape
        target_t = self.cfg.spec_size * self.cfg.freq_ratio
        target_f = self.cfg.spec_size // self.cfg.freq_ratio
        if t > target_t or f > target_f:
            raise ValueError(f"log-mel of {t}x{f} exceeds {target_t}x{target_f}")
        if t < target_t:
            x = F.interpolate(x, (target_t, f), mode="bicubic", align_corners=True)
        if f < target_f:
            x = F.interpolate(x, (x.shape[2], target_f), mode="bicubic", align_corners=True)
        r = self.cfg.freq_ratio
        x = x.permute(0, 1, 3, 2).contiguous()
        x = x.reshape(b, c, x.shape[2], r, x.shape[3] // r).permute(0, 1, 3, 2, 4).contiguous()
        return x.reshape(b, c, x.shape[2] * x.shape[3], x.shape[4])

    def forward(self, wave: torch.Tensor) -> dict[str, torch.Tensor]:
        logmel = self.logmel(wave)
        x = logmel.to(self.bn0.weight.dtype)
        x = self.bn0(x.transpose(1, 3)).transpose(1, 3)
        image = self.to_image(x)
        frames = image.shape[2]
        x = self.patch_embed(image)
        for stage in self.layers:
            x = stage(x)
        x = self.norm(x)
        b, _, c = x.shape
        n = len(self.cfg.depths)
        sf = frames // 2 ** (n - 1) // self.cfg.patch_stride[0]
        st = frames // 2 ** (n - 1) // self.cfg.patch_stride[1]
        x = x.permute(0, 2, 1).contiguous().reshape(b, c, sf, st)
        c_freq = sf // self.cfg.freq_ratio
        x = x.reshape(b, c, sf // c_freq, c_freq, st).permute(0, 1, 3, 2, 4).contiguous().reshape(b, c, c_freq, -1)
        embedding = x.flatten(2).mean(dim=2)
        clipwise = torch.sigmoid(self.tscam_conv(x).flatten(2).mean(dim=2))
        return {"logmel": logmel, "embedding": embedding, "clipwise": clipwise}

    @torch.no_grad()
    def init_frozen_filters(self) -> None:
        """Fill the STFT kernels and mel matrix as the released model has them (random-weight models only)."""
        cfg = self.cfg
        real, imag = hann_dft_kernels(cfg.n_fft)
        self.spectrogram_extractor.stft.conv_real.weight.copy_(torch.from_numpy(real))
        self.spectrogram_extractor.stft.conv_imag.weight.copy_(torch.from_numpy(imag))
        mel = slaney_mel_filterbank(cfg.sample_rate, cfg.n_fft, cfg.mel_bins, cfg.fmin, cfg.fmax)
        self.logmel_extractor.melW.copy_(torch.from_numpy(mel))
