"""Outgoing messages: the channel-adapter interface the worker sends through."""
