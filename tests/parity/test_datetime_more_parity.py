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
    if zone_name == "UTC":  # row order is not fixed (groupBy): compare the body as a multiset
        a, b = ours_show.split("\n"), theirs_show.split("\n")
        assert a[:3] == b[:3] and sorted(a[3:]) == sorted(b[3:])
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
    # the older epoch functions read text and print times in the session zone too
    "epoch": lambda d, f: d.select(f.from_unixtime(f.lit(1428476400)), f.unix_timestamp("s"),
                                   f.unix_timestamp(f.to_timestamp("s")), f.to_timestamp("s"),
                                   f.from_unixtime(f.unix_timestamp("t"), "yyyy-MM-dd HH:mm")),
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


WINDOW_ROWS = [(dt.datetime(2020, 3, 8, 10, 30, 0, 123456), 1), (dt.datetime(2020, 3, 8, 10, 39, 59), 2),
               (dt.datetime(2020, 3, 8, 10, 40), 3), (dt.datetime(1969, 12, 31, 23, 59, 30), 4),
               (dt.datetime(2020, 2, 29, 23, 0), None),
               (None, 5)]  # no event time: Spark drops the row wherever window() is computed


@pytest.fixture(scope="module")
def window_frames(spark, pyspark):
    schema = "t timestamp, v int"
    return spark.createDataFrame(WINDOW_ROWS, schema), pyspark.createDataFrame(WINDOW_ROWS, schema)


WINDOWS = {
    "select": lambda d, f: d.select(f.window("t", "10 minutes"), "v"),
    "group": lambda d, f: d.groupBy(f.window("t", "10 minutes")).agg(f.sum("v"), f.count("*")),
    "start_time": lambda d, f: d.groupBy(f.window("t", "1 day", startTime="2 hours")).count(),
    "week": lambda d, f: d.groupBy(f.window(f.col("t"), "1 week")).agg(f.max("v")),
    "window_time": lambda d, f: d.select(f.window_time(f.window("t", "1 hour 30 minutes"))),
    "fields": lambda d, f: d.groupBy(f.window("t", "5 minutes")).count()
                            .select("window.start", "window.end", "count"),
    "with_column": lambda d, f: d.withColumn("w", f.window("t", "10 minutes")),
    "total": lambda d, f: d.groupBy().agg(f.count("*")).crossJoin(
        d.groupBy(f.window("t", "1 day")).agg(f.sum("v"))),
}


@pytest.mark.parametrize("case", sorted(WINDOWS))
def test_windows(window_frames, zone, case):
    _run(window_frames, zone, WINDOWS[case])


def test_window_in_sql(window_frames, zone):
    ours, theirs = window_frames
    _same(ours.selectExpr("window(t, '30 minutes')", "v"), theirs.selectExpr("window(t, '30 minutes')", "v"),
          zone)


def test_window_bad_input_is_named(window_frames):
    ours, _ = window_frames
    with pytest.raises(Exception, match="sliding windows"):
        F.window("t", "10 minutes", "5 minutes")
    with pytest.raises(Exception, match="windowDuration"):
        F.window("t", "ten minutes")
    with pytest.raises(Exception, match="months"):
        F.window("t", "1 month")
    with pytest.raises(Exception, match="TIMESTAMP"):
        ours.select(F.window("v", "10 minutes"))


def test_partition_transforms_only_in_partitioned_by(window_frames):
    ours, _ = window_frames
    for c in (F.years("t"), F.months("t"), F.days("t"), F.hours("t"), F.bucket(4, "v")):
        with pytest.raises(Exception, match="PARTITION_TRANSFORM_EXPRESSION_NOT_IN_PARTITIONED_BY"):
            ours.select(c).collect()
    assert str(F.bucket(4, "v")) == "Column<'bucket(4, v)'>"


def test_make_dt_interval(spark, pyspark):
    rows = [(29, 10, 30, 45.5), (None, 1, 2, 3.0), (-1, 2, 0, 0.25), (0, -3, 0, 1.0000005)]
    schema = "dd int, h int, mi int, sec double"
    ours, theirs = spark.createDataFrame(rows, schema), pyspark.createDataFrame(rows, schema)
    from pyspark.sql import functions as PF
    _same(ours.select(F.make_dt_interval("dd", "h", "mi", "sec"), F.make_dt_interval(),
                      F.make_dt_interval("dd")),
          theirs.select(PF.make_dt_interval("dd", "h", "mi", "sec"), PF.make_dt_interval(),
                        PF.make_dt_interval("dd")), "UTC")
    _same(ours.selectExpr("make_dt_interval(dd, h, mi, sec)"),
          theirs.selectExpr("make_dt_interval(dd, h, mi, sec)"), "UTC")


def test_format_from_a_column(spark, pyspark, zone):
    """A ``format`` given as a str names a column holding each row's pattern (as PySpark)."""
    rows = [("2015-04-08", "yyyy-MM-dd"), ("2025+01+09", "yyyy+MM+dd"), ("2016-12-31 10:00", None),
            (None, "yyyy")]
    ours, theirs = spark.createDataFrame(rows, "dt string, fmt string"), \
        pyspark.createDataFrame(rows, "dt string, fmt string")
    from pyspark.sql import functions as PF
    build = lambda d, f: d.select(f.to_unix_timestamp("dt", "fmt"), f.to_timestamp_ltz("dt", "fmt"),  # noqa: E731
                                  f.to_timestamp_ntz("dt", "fmt"), f.try_to_timestamp("dt", "fmt"),
                                  f.unix_timestamp("dt", "yyyy-MM-dd"))
    _same(build(ours, F), build(theirs, PF), zone)
    _sql((ours, theirs), zone, "to_unix_timestamp(dt, 'yyyy-MM-dd')", "to_timestamp_ntz(dt, fmt)")
