"""Every topic file passes the schema; the schema rejects broken topics clearly."""

from __future__ import annotations

import copy

import pytest
import yaml

from knowledge.schema import (
    POLICY_DIR,
    REGIONS,
    SPOKEN_MAX_CHARS,
    TopicError,
    load_topics,
    spoken_length,
    validate,
)

REQUIRED_TOPICS = {
    "ltc_insurance", "disability_assessment", "family_doctor", "home_hospital_bed",
    "home_care_reimbursement", "two_way_referral", "green_channel", "integration_models",
    "tcm_elderly_care", "meal_service", "home_visit_service", "health_records",
    "health_privacy", "yikang_center", "smart_platform_liwan", "remote_monitoring",
    "care_alliance", "no_escort_ward", "elder_home_daycare", "service_evaluation",
}


@pytest.fixture(scope="module")
def topics():
    return load_topics()


@pytest.fixture
def good():
    with open(POLICY_DIR / "ltc_insurance.yml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def test_all_files_pass_and_there_are_at_least_25(topics):
    assert len(topics) >= 25
    assert len(list(POLICY_DIR.glob("*.yml"))) == len(topics)


def test_required_topics_present(topics):
    assert REQUIRED_TOPICS <= {t.id for t in topics}


def test_spoken_is_short(topics):
    for topic in topics:
        assert spoken_length(topic.spoken) <= SPOKEN_MAX_CHARS, topic.id


def test_regions_dates_and_marked_general_knowledge(topics):
    for topic in topics:
        assert topic.region in REGIONS
        assert topic.source and topic.date
        if "national-general-knowledge" in topic.basis:
            assert topic.general_knowledge, topic.id


def test_integration_models_name_all_three(topics):
    text = next(t for t in topics if t.id == "integration_models").text
    assert all(word in text for word in ("内置型", "联动型", "辐射型"))


def test_numbers_kept_as_in_sources(topics):
    by_id = {t.id: t for t in topics}
    assert "1937" in by_id["family_care_bed"].text
    assert "2012年7月" in by_id["ltc_insurance"].text
    assert "500万元" in by_id["disabled_elder_aid"].text
    assert "200余名" in by_id["elder_home_daycare"].text


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.pop("region"), "missing field(s): region"),
        (lambda d: d.update(spoken="长" * (SPOKEN_MAX_CHARS + 1)), "spoken is 61 characters"),
        (lambda d: d.update(region="火星"), "unknown region '火星'"),
        (lambda d: d.update(id="长护险"), "ascii slug"),
        (lambda d: d.update(date="2012/07"), "date '2012/07'"),
        (lambda d: d.update(basis="hearsay"), "unknown basis"),
        (lambda d: d.update(aliases=[]), "'aliases' must be a non-empty list"),
        (lambda d: d.update(colour="red"), "unknown field(s): colour"),
        (lambda d: d.pop("general_knowledge"), "needs 'general_knowledge'"),
    ],
)
def test_schema_errors_are_clear(good, change, message):
    broken = copy.deepcopy(good)
    change(broken)
    with pytest.raises(TopicError, match=message.replace("(", r"\(").replace(")", r"\)")):
        validate(broken, where="ltc_insurance.yml")


def test_file_name_must_match_id(tmp_path, good):
    good["id"] = "other_topic"
    (tmp_path / "ltc_insurance.yml").write_text(
        yaml.safe_dump(good, allow_unicode=True), encoding="utf-8")
    with pytest.raises(TopicError, match="must match the file name"):
        load_topics(tmp_path)
