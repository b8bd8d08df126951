"""What a vital-sign reading is, from what the NLU found and the words said.

The vitals normaliser (``nlu.components.vitals``) names a reading by its
everyday word (血压, 血糖 …); the records store takes typed values
(``blood_pressure``, ``glucose_fasting`` …).  Pure, no Rasa.
"""

from __future__ import annotations

# The normaliser's vital_type → the typed measurement; glucose is refined from the words said.
NLU_TYPES = {"血压": "blood_pressure", "血糖": "glucose", "心率": "heart_rate", "体温": "temperature",
             "血氧": "spo2", "体重": "weight"}
TYPED = {"blood_pressure", "glucose", "glucose_fasting", "glucose_after_meal", "heart_rate", "temperature",
         "spo2", "weight"}
FASTING_WORDS = ("空腹", "早上没吃")
AFTER_MEAL_WORDS = ("餐后", "饭后", "吃完饭", "吃了饭")


def vital_kind(nlu_type: str | None, text: str = "") -> str | None:
    """血糖 + 空腹血糖七点八 → ``glucose_fasting``; None when it is not a measurement we keep."""
    nlu_type = nlu_type or ""
    kind = NLU_TYPES.get(nlu_type, nlu_type if nlu_type in TYPED else None)
    if kind == "glucose":
        if any(word in text for word in FASTING_WORDS):
            return "glucose_fasting"
        if any(word in text for word in AFTER_MEAL_WORDS):
            return "glucose_after_meal"
    return kind
