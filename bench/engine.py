"""Rasa's engine alone: one model in-process, in-memory tracker, no action
server, no HTTP.  ``python -m bench.engine MODEL`` prints JSON (p50/p95 ms).

Run by ``bench.bench`` for both bots, so that the table can tell the engine's
share of a turn (NLU and policies, same for both set-ups in kind) from what
Anxin adds around it (durable tracker store, action server, channels)."""

from __future__ import annotations

import asyncio
import json
import logging
import statistics
import sys
import time

UTTERANCES = ["谢谢你", "怎么用"]  # answered by responses alone in both bots


async def measure(path: str, turns: int = 200) -> dict:
    import structlog
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    logging.basicConfig(level=logging.WARNING)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    agent = Agent.load(path)
    for text in UTTERANCES * 5:  # warm-up
        await agent.handle_message(UserMessage(text, CollectingOutputChannel(), "warm"))
    latencies = []
    for i in range(turns):
        started = time.perf_counter()
        await agent.handle_message(UserMessage(UTTERANCES[i % 2], CollectingOutputChannel(), f"e{i // 10}"))
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    return {"p50": statistics.median(latencies), "p95": latencies[int(0.95 * (len(latencies) - 1))]}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(measure(sys.argv[1]))))
