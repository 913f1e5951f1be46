"""Runners turn messages into completions: local llama.cpp, OpenAI-compatible HTTP, vLLM, scripted."""
