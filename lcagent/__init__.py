"""lcagent: agents that work through documents far longer than a model's context window."""

__version__ = "0.1.0"
