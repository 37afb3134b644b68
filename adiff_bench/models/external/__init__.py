"""External audio-language models behind the common model interface.

Processor-based transformers models (``qwen2-audio``, ``qwen2.5-omni``, ``hf-alm``) and OpenAI-compatible
HTTP endpoints (``openai-api``). Nothing heavy is imported here; each adapter imports what it needs.
"""
