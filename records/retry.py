"""How long to wait before trying a failed delivery again, and when to stop."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff: ``base``, 2×``base``, 4×``base`` … capped at ``cap``
    seconds, never sooner than the channel asked; give up after ``max_attempts``."""

    base: float
    cap: float
    max_attempts: int

    def delay(self, attempts: int, retry_after: float | None = None) -> float:
        """Seconds before the next try after ``attempts`` tries."""
        return max(min(self.cap, self.base * 2 ** max(0, attempts - 1)), retry_after or 0.0)

    def exhausted(self, attempts: int) -> bool:
        return attempts >= self.max_attempts


# What the system sends on its own (ladders, alerts, reminders): 5 s, 10 s … 10 min.
OUTBOX = RetryPolicy(base=5.0, cap=600.0, max_attempts=8)
# Lecture broadcasts: 30 s, 60 s … an hour; not worth more than six tries.
LECTURES = RetryPolicy(base=30.0, cap=3600.0, max_attempts=6)
