"""Is someone in danger now?  The one emergency detector, pure logic.

The Rasa component (``nlu.components.emergency``), the channels' checks and
the speaker's offline check all call :func:`detect`; nothing here imports
Rasa, so the speaker client installs without it.
"""

from nlu.emergency.rules import Candidate, analyse, detect, normalize

__all__ = ["Candidate", "analyse", "detect", "normalize"]
