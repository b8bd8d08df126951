"""Anxin NLU: training data, lookups and custom Rasa graph components."""
