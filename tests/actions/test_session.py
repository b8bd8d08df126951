"""A new session keeps who the user is and drops every pending question (finding 6)."""

from actions.session import ActionSessionStart
from tests.actions.safety import run, tracker


def test_pending_questions_do_not_survive_into_a_new_session():
    slots = {"user_role": "elder", "elder_name": "王秀兰", "speech_rate": 120.0,
             "vitals_pending": True, "pending_vital_type": "blood_pressure", "vital_readback": "158/95",
             "safety_question": True, "reminder_pending": True, "close_pending": True, "booking_confirmed": None}
    events, _ = run(ActionSessionStart(), tracker(slots=slots))
    assert events[0]["event"] == "session_started" and events[-1]["name"] == "action_listen"
    carried = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert carried == {"user_role": "elder", "elder_name": "王秀兰", "speech_rate": 120.0}
