"""The neutral core every layer may import: settings, errors, clock.

It imports nothing of Anxin's own packages, so the records store, the NLU,
the knowledge base and the speaker client can all depend on it.
"""
