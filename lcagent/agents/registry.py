"""Every strategy by name: its class and what it does, for ``--strategy``, the router and help."""

from __future__ import annotations

from dataclasses import dataclass

from lcagent.agents.baselines import BM25Rag, FullContext
from lcagent.agents.chain import ChainOfAgents, MapReduce
from lcagent.agents.hypergraph_agent import HypergraphAgent
from lcagent.agents.memex_agent import MemexAgent
from lcagent.agents.tool_agent import ToolAgent


@dataclass(frozen=True)
class StrategyInfo:
    name: str
    cls: type
    description: str


REGISTRY: dict[str, StrategyInfo] = {info.name: info for info in (
    StrategyInfo("tools", ToolAgent, ToolAgent.description),
    StrategyInfo("memex", MemexAgent, MemexAgent.description),
    StrategyInfo("hypergraph", HypergraphAgent, HypergraphAgent.description),
    StrategyInfo("chain", ChainOfAgents, "Chain of Agents: workers read window by window and pass notes; a manager answers"),
    StrategyInfo("mapreduce", MapReduce, "workers read windows independently; reduce steps merge their notes"),
    StrategyInfo("full", FullContext, "baseline: the document cut to the model's window"),
    StrategyInfo("rag", BM25Rag, "baseline: bm25 top-k chunks in one prompt"),
)}


def make_strategy(name: str):
    from lcagent.memory.workspace import WorkspaceError

    try:
        return REGISTRY[name].cls()
    except KeyError:
        raise WorkspaceError(f"unknown strategy {name!r}; choose one of auto, {', '.join(REGISTRY)}") from None
