"""Custom Rasa 3.6 graph components for Anxin.

Each component keeps its logic in plain functions (unit-testable without Rasa)
and a thin ``GraphComponent`` wrapper. Referenced from ``config.yml`` by module
path, e.g. ``nlu.components.emergency.EmergencyDetector``.
"""
