"""The rasa-sdk action server: one module per capability.

Actions hold dialogue logic only: they call ``records`` and ``knowledge``,
pick responses from the domain and set slots.  ``rasa_sdk`` finds every
``Action`` subclass in this package.
"""
