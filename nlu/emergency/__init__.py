"""Is someone in danger now?  The one emergency detector, pure logic.

:func:`assess` grades an utterance (emergency / unsure / none, with the
scorer's probability and the reason); :func:`detect` is the reason when it
is an emergency now, else None.  The Rasa component
(``nlu.components.emergency``), the channels' checks and the speaker's
offline check all call these; nothing here imports Rasa, so the speaker
client installs without it.  The rules alone: :func:`analyse`.
"""

from nlu.emergency.grade import assess, detect
from nlu.emergency.rules import Candidate, analyse, normalize

__all__ = ["Candidate", "analyse", "assess", "detect", "normalize"]
