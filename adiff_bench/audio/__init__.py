"""Audio loading shared by every audio model: decode, mono, resample, fit to the model's length."""
