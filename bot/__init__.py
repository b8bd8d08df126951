"""Anxin's Rasa side: domain, stories and rules, channels, the CLI and settings."""
