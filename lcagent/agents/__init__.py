"""Agents decide what to do next (chain of agents, tool agent, router); they hold no I/O of their own."""
