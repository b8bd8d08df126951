"""nlu.chinese: numerals, clock times (one afternoon rule), days, and saying them."""

import datetime as dt

import pytest

from nlu import chinese


@pytest.mark.parametrize(("text", "value"), [
    ("21", 21), ("二十一", 21), ("十五", 15), ("三", 3), ("两", 2), ("一百零八", 108), ("一百四十五", 145),
    ("两千", 2000), ("十", 10), ("", None), ("三点", None),
])
def test_whole_numbers(text, value):
    assert chinese.number(text) == value


def test_fallback_day_parser():
    monday = dt.date(2024, 5, 20)
    assert chinese.parse_day("下周二上午", monday) == dt.date(2024, 5, 28)
    assert chinese.parse_day("周五那个不去了", monday) == dt.date(2024, 5, 24)
    assert chinese.parse_day("明天", monday) == dt.date(2024, 5, 21)
    assert chinese.parse_day("三号", monday) == dt.date(2024, 6, 3)
    assert chinese.parse_day("6月1日", monday) == dt.date(2024, 6, 1)
    assert chinese.parse_clock("下午三点半") == "15:30"
    assert chinese.parse_clock("上午十点") == "10:00"
    assert chinese.period_in("下午") == "afternoon"


@pytest.mark.parametrize(("text", "times"), [
    ("每天早上八点", ["08:00"]),
    ("早上七点半和晚上九点", ["07:30", "21:00"]),
    ("八点和晚上八点", ["08:00", "20:00"]),
    ("中午十二点", ["12:00"]),
    ("下午三点一刻", ["15:15"]),
    ("三点", ["15:00"]),  # the afternoon rule
    ("凌晨三点", ["03:00"]),
    ("晚饭后八点", ["20:00"]),  # was 08:00: a dose twelve hours early
    ("每天睡前十点吃一粒", ["22:00"]),
    ("夜饭后 八点半", ["20:30"]),
    ("早饭后八点 晚饭后八点", ["08:00", "20:00"]),
    ("午饭后一点", ["13:00"]),
])
def test_clock_times_in_order_said(text, times):
    assert chinese.parse_clock_times(text) == times


def test_the_afternoon_rule_is_the_same_for_one_time_and_several():
    for text in ("两点", "下午两点", "晚上七点", "早上六点", "上午十点半"):
        assert chinese.parse_clock_times(text) == [chinese.parse_clock(text)]


def test_saying_times_and_dates():
    assert [chinese.say_clock(c) for c in ("08:00", "12:00", "20:30", "15:15", "14:30", "09:30")] == [
        "早上8点", "中午12点", "晚上8点半", "下午3点15分", "下午2点半", "上午9点半"]
    assert chinese.say_clocks(["08:00", "20:00"]) == "每天早上8点、晚上8点"
    today = dt.date(2024, 5, 20)
    assert chinese.say_day(dt.date(2024, 5, 21), today) == "明天，5月21日星期二"
    assert chinese.say_session(dt.date(2024, 5, 24), "afternoon", today) == "5月24日星期五下午"
    assert chinese.say_moment(dt.datetime(2024, 12, 6, 9, 30)) == "12月6日星期五上午9点半"


def test_digits_said_one_by_one_and_read_back():
    assert chinese.say_digits("382915") == "三、八、二、九、一、五"
    assert chinese.spoken_digits_to_ascii("幺二三四五拐") == "123457"
    assert chinese.say_number(158) == "一百五十八" and chinese.say_number(7.8) == "七点八"
