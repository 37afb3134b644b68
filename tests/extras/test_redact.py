"""Secrets are masked in what is written: URL credentials, secret-named arguments, echoed keys."""

from __future__ import annotations

from adiff_bench.redact import (
    redact_model_args,
    redact_text,
    redact_url,
    strip_credentials,
    url_credentials,
)


def test_url_credentials_are_masked_stripped_and_read_back():
    url = "https://alice:p%40ss@example.org:8443/v1?x=1"
    assert redact_url(url) == "https://***@example.org:8443/v1?x=1"
    assert strip_credentials(url) == "https://example.org:8443/v1?x=1"
    assert url_credentials(url) == ("alice", "p@ss")
    assert url_credentials("https://example.org/v1") == (None, None)
    assert strip_credentials("https://example.org/v1") == "https://example.org/v1"


def test_text_masks_given_secrets_their_url_encoding_and_any_url_userinfo():
    text = "failed for http://bob:s3cr%2Ft@h/v1, key sk-abc123456 and s3cr/t"
    assert redact_text(text, ["s3cr/t", "sk-abc123456", None, ""]) == "failed for http://***@h/v1, key *** and ***"
    assert redact_text("nothing secret here", ["ab"]) == "nothing secret here"  # too short to mask safely


def test_model_args_mask_secret_names_and_urls_but_keep_the_rest():
    args = {
        "base_url": "https://u:pw@host/v1",
        "api_key": "sk-live-1",
        "hf_token": "hf_x",
        "api_key_env": "OPENAI_API_KEY",
        "max_tokens": "64",
        "model": "m",
    }
    assert redact_model_args(args) == {
        "base_url": "https://***@host/v1",
        "api_key": "***",
        "hf_token": "***",
        "api_key_env": "OPENAI_API_KEY",
        "max_tokens": "64",
        "model": "m",
    }
    assert redact_model_args((("base_url", "http://h/v1"),)) == {"base_url": "http://h/v1"}
