"""Chat templates for GGUF files that carry none (the Gemma 3 270M base model ships without one).

Jinja, rendered by llama-cpp-python's ``Jinja2ChatFormatter`` like templates found in a GGUF.
"""

from __future__ import annotations

# Gemma has no system role: the system text opens the first user turn, as Google's template does.
GEMMA_TEMPLATE = (
    "{{ bos_token }}"
    "{% if messages[0]['role'] == 'system' %}"
    "{% set first_prefix = messages[0]['content'] + '\\n\\n' %}{% set turns = messages[1:] %}"
    "{% else %}{% set first_prefix = '' %}{% set turns = messages %}{% endif %}"
    "{% for message in turns %}"
    "{{ '<start_of_turn>' + ('model' if message['role'] == 'assistant' else 'user') + '\\n' }}"
    "{{ (first_prefix if loop.first else '') + (message['content'] | trim) }}"
    "{{ '<end_of_turn>\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<start_of_turn>model\\n' }}{% endif %}"
)

CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)


def fallback_template(architecture: str) -> str:
    """The template to use when the GGUF has no ``tokenizer.chat_template``."""
    if architecture.startswith("gemma"):
        return GEMMA_TEMPLATE
    return CHATML_TEMPLATE
