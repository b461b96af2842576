"""Zone, field and arithmetic date/time functions against real PySpark, under several session
time zones: same rows (collect), types, generated column names and show() output, with nulls,
DST gaps and overlaps, leap days and bad input."""

from __future__ import annotations

import datetime as dt

import pytest

from dfml.sql import functions as F
from tests.parity.helpers import assert_same

ROWS = [
    # a DST gap in Los Angeles (02:30 does not exist on 2020-03-08), a leap day
    (dt.datetime(2020, 3, 8, 10, 30, 0, 123456), "2020-03-08 02:30:00", dt.date(2020, 2, 29),
     2020, 2, 29, 10, 30, 45.5, "Asia/Seoul"),
    # the LA overlap (01:30 happens twice on 2020-11-01), 60 seconds, a month end
    (dt.datetime(2020, 11, 1, 8, 30), "2020-11-01 01:30:00", dt.date(2021, 1, 31),
     2020, 11, 1, 1, 30, 60.0, "America/Los_Angeles"),
    # invalid fields give null (Feb 30, second 60.5); text that is no timestamp
    (dt.datetime(1969, 12, 31, 23, 59, 59, 999999), "not a time", dt.date(1900, 3, 1),
     2021, 2, 30, 23, 59, 60.5, "+05:30"),
    (None, None, None, None, None, None, None, None, None, None),
]
SCHEMA = ("t timestamp, s string, d date, y int, mo int, dd int, h int, mi int, sec double, "
          "z string")
ZONES = ["UTC", "America/Los_Angeles", "Asia/Kolkata"]


@pytest.fixture(scope="module")
def frames(spark, pyspark):
    return spark.createDataFrame(ROWS, SCHEMA), pyspark.createDataFrame(ROWS, SCHEMA)


@pytest.fixture(params=ZONES)
def zone(request, spark, pyspark):
    spark.conf.set("spark.sql.session.timeZone", request.param)
    pyspark.conf.set("spark.sql.session.timeZone", request.param)
    yield request.param
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    pyspark.conf.set("spark.sql.session.timeZone", "UTC")


def _same(ours, theirs, zone_name):
    assert_same(ours, theirs)
    ours_show = ours._show_string()
    theirs_show = theirs._jdf.showString(20, 20, False)
    if zone_name == "UTC":
        assert ours_show == theirs_show
    else:  # show() prints TIMESTAMP values in the session zone: compare the header
        assert ours_show.split("\n")[:3] == theirs_show.split("\n")[:3]


def _run(frames, zone_name, build):
    from pyspark.sql import functions as PF
    ours, theirs = frames
    _same(build(ours, F), build(theirs, PF), zone_name)


def _sql(frames, zone_name, *exprs):
    ours, theirs = frames
    _same(ours.selectExpr(*exprs), theirs.selectExpr(*exprs), zone_name)


PY = {
    "from_to_utc": lambda d, f: d.select(f.from_utc_timestamp("t", "Asia/Seoul"),
                                         f.to_utc_timestamp("t", "America/Los_Angeles"),
                                         f.from_utc_timestamp("s", f.col("z")),
                                         f.to_utc_timestamp("d", "+05:30")),
    "convert_timezone": lambda d, f: d.select(
        f.convert_timezone(None, f.lit("Asia/Seoul"), "t"),
        f.convert_timezone(f.lit("America/Los_Angeles"), f.lit("UTC"), "s"),
        f.convert_timezone(f.col("z"), f.lit("Europe/Berlin"), "d")),
    "parse": lambda d, f: d.select(f.to_timestamp_ltz("s"), f.to_timestamp_ntz("s"),
                                   f.try_to_timestamp("s"), f.try_to_date("s"),
                                   f.to_unix_timestamp("s"), f.to_unix_timestamp("t"),
                                   f.to_timestamp_ntz("t"), f.try_to_date("t")),
    "parse_format": lambda d, f: d.select(
        f.to_timestamp_ltz("s", f.lit("yyyy-MM-dd HH:mm:ss")),
        f.to_timestamp_ntz("s", f.lit("yyyy-MM-dd HH:mm:ss")),
        f.to_unix_timestamp("s", f.lit("yyyy-MM-dd HH:mm:ss")),
        f.try_to_timestamp("s", f.lit("yyyy-MM-dd HH:mm")),
        f.try_to_date("s", "yyyy-MM-dd HH:mm:ss")),
    "make_timestamp": lambda d, f: d.select(
        f.make_timestamp("y", "mo", "dd", "h", "mi", "sec"),
        f.make_timestamp("y", "mo", "dd", "h", "mi", "sec", "z"),
        f.make_timestamp_ltz("y", "mo", "dd", "h", "mi", "sec"),
        f.make_timestamp_ntz("y", "mo", "dd", "h", "mi", "sec"),
        f.try_make_timestamp("y", "mo", "dd", "h", "mi", "sec", f.lit("Asia/Kolkata")),
        f.try_make_timestamp_ltz("y", "mo", "dd", "h", "mi", "sec"),
        f.try_make_timestamp_ntz("y", "mo", "dd", "h", "mi", "sec")),
    "extract": lambda d, f: d.select(
        f.extract(f.lit("YEAR"), "t"), f.extract(f.lit("hour"), "t"),
        f.extract(f.lit("SECOND"), "t"), f.date_part(f.lit("dow"), "t"),
        f.date_part(f.lit("week"), "d"), f.datepart(f.lit("doy"), "d"),
        f.date_part(f.lit("dayofweek_iso"), "d"), f.date_part(f.lit("yearofweek"), "d"),
        f.extract(f.lit("quarter"), "t"), f.extract(f.lit("minute"), "s"),
        f.extract(f.lit("sec"), "d")),
    "timestamp_add": lambda d, f: d.select(
        f.timestamp_add("HOUR", f.lit(1), "t"), f.timestamp_add("day", "h", "t"),
        f.timestamp_add("MONTH", "mo", "d"), f.timestamp_add("YEAR", f.lit(1), "d"),
        f.timestamp_add("MICROSECOND", f.lit(1), "t"), f.timestamp_add("WEEK", f.lit(-2), "s"),
        f.timestamp_add("QUARTER", f.lit(1), f.to_timestamp_ntz("s"))),
    "timestamp_diff": lambda d, f: d.select(
        f.timestamp_diff("DAY", "d", "t"), f.timestamp_diff("HOUR", "t", "d"),
        f.timestamp_diff("MONTH", "d", "t"), f.timestamp_diff("YEAR", "t", "d"),
        f.timestamp_diff("WEEK", "s", "t"), f.timestamp_diff("MILLISECOND", "t", "s"),
        f.timestamp_diff("QUARTER", "d", f.lit(dt.date(2024, 2, 29)))),
}


@pytest.mark.parametrize("case", sorted(PY))
def test_functions(frames, zone, case):
    _run(frames, zone, PY[case])


SQL = {
    "zones": ["from_utc_timestamp(t, 'Asia/Seoul')", "to_utc_timestamp(s, 'JST')",
              "convert_timezone('Asia/Seoul', t)", "convert_timezone('UTC', z, s)"],
    "parse": ["to_timestamp_ltz(s)", "to_timestamp_ntz(s)", "try_to_timestamp(s)",
              "try_to_date(s)", "to_unix_timestamp(s)", "to_unix_timestamp(t, 'yyyy-MM-dd')"],
    "make": ["make_timestamp(y, mo, dd, h, mi, sec)", "make_timestamp(y, mo, 28, h, mi, 1.5, z)",
             "make_timestamp_ntz(y, mo, dd, h, mi, sec)", "try_make_timestamp(y, mo, 30, 0, 0, 0)"],
    "extract": ["extract(YEAR FROM t)", "extract(DOW FROM d)", "date_part('SECONDS', t)",
                "datepart('doy', d)", "date_part('minute', s)"],
    "arith": ["timestampadd(HOUR, 1, t)", "timestampadd(month, 1, d)", "timestampadd(DAY, h, s)",
              "timestampdiff(MONTH, d, t)", "timestampdiff(second, t, s)"],
}


@pytest.mark.parametrize("case", sorted(SQL))
def test_sql(frames, zone, case):
    _sql(frames, zone, *SQL[case])


def test_localtimestamp_is_session_wall_time(spark, pyspark, zone):
    ours = spark.range(1).select(F.localtimestamp())
    from pyspark.sql import functions as PF
    theirs = pyspark.range(1).select(PF.localtimestamp())
    assert ours.columns == theirs.columns and ours.dtypes == theirs.dtypes
    a, b = ours.collect()[0][0], theirs.collect()[0][0]
    assert abs((a - b).total_seconds()) < 120


def test_bad_zone_and_unit_are_named(frames):
    ours, _ = frames
    with pytest.raises(ValueError, match="Mars/Olympus"):
        ours.select(F.from_utc_timestamp("t", "Mars/Olympus")).collect()
    with pytest.raises(Exception, match="INVALID_PARAMETER_VALUE.DATETIME_UNIT"):
        F.timestamp_add("FORTNIGHT", F.lit(1), "t")
    with pytest.raises(Exception, match="INVALID_EXTRACT_FIELD"):
        F.extract(F.lit("EPOCHS"), "t")
