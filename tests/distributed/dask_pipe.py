"""dask_pipe.py: redflag as a stage of Dask's distributed scheduler (docs/distributed.md).

1,000,000 parties (the real company names of tests/data/companies, each with a country from a
list of 14, and a transaction id as ref) are screened twice against one database opened with
`screen --read-only`: once by a single process reading them all from standard input, and once
by a LocalCluster of 2 worker processes, each partition piped through its own redflag. The
results must be the same JSON lines in the same order, but for "line" (the row within the
piece a process read: the ref names the row across pieces). The database must be unchanged
(nothing recorded by either run). Exits 77 (ctest: skipped) with a message when Debian's
python3-dask and python3-distributed are not installed.

    python3 dask_pipe.py   (RF_BIN, RF_TEST_DATA from ctest)
"""
import gzip
import hashlib
import json
import os
import subprocess
import sys
import tempfile

try:
    import dask.bag
    from dask.distributed import Client, LocalCluster
except ImportError as e:
    print(f"dask_pipe: skipped: Dask is not installed ({e}); "
          "Debian: apt-get install python3-dask python3-distributed")
    sys.exit(77)

PARTIES = int(os.environ.get("RF_DASK_PARTIES", "1000000"))
PARTITIONS = 16
COUNTRIES = "US DE CN JP GB FR IN KR BR CA AU IT NL SG".split()
BIN = os.environ["RF_BIN"]
DATA = os.environ["RF_TEST_DATA"]


def csv_field(s):
    return '"' + s.replace('"', '""') + '"'


def party_rows():
    """ref,name,country rows: every company name with US, then with DE, ..."""
    with gzip.open(os.path.join(DATA, "companies", "names.tsv.gz"), "rt", encoding="utf-8") as f:
        names = [line.split("\t", 1)[0] for line in f.read().splitlines()[1:] if line]
    rows = []
    for country in COUNTRIES:
        for name in names:
            if len(rows) == PARTIES:
                return rows
            rows.append(f"T{len(rows) + 1:07d},{csv_field(name)},{country}\n")
    return rows


def screen(db, source, output):
    """`redflag screen --read-only` of the CSV file `source` on standard input, its JSON
    lines into the file `output`."""
    with open(source, "rb") as stdin, open(output, "wb") as stdout:
        out = subprocess.run([BIN, "screen", "--read-only", "--db", db, "--format", "jsonl",
                              "-"], stdin=stdin, stdout=stdout, stderr=subprocess.PIPE,
                             check=False)
    if out.returncode not in (0, 1):
        raise RuntimeError(f"redflag exited {out.returncode}: {out.stderr.decode()[-2000:]}")
    return output


def screen_piece(piece, db, tmp):
    """One element of the Dask bag, (number, CSV rows), piped through its own redflag, as a
    worker of a real cluster would: its JSON lines are written where the caller collects them."""
    number, rows = piece
    source = os.path.join(tmp, f"piece-{number:03d}.csv")
    with open(source, "w", encoding="utf-8") as f:
        f.write("ref,name,country\n")
        f.writelines(rows)
    return screen(db, source, os.path.join(tmp, f"piece-{number:03d}.jsonl"))


def without_line(jsonl):
    d = json.loads(jsonl)
    d.pop("line")
    return d


def lines(paths):
    for path in paths:
        with open(path, encoding="utf-8") as f:
            yield from f


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    rows = party_rows()
    with tempfile.TemporaryDirectory(prefix="redflag-dask-") as tmp:
        db = os.path.join(tmp, "lists.db")
        subprocess.run([BIN, "lists", "init", "--db", db], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        before = sha256(db)

        source = os.path.join(tmp, "parties.csv")
        with open(source, "w", encoding="utf-8") as f:
            f.write("ref,name,country\n")
            f.writelines(rows)
        single = screen(db, source, os.path.join(tmp, "single.jsonl"))
        size = -(-len(rows) // PARTITIONS)
        pieces = [(i, rows[i * size:(i + 1) * size]) for i in range(PARTITIONS)]
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            outputs = dask.bag.from_sequence(pieces, npartitions=PARTITIONS).map(
                screen_piece, db, tmp).compute()
            workers = len(client.scheduler_info()["workers"])

        errors = []
        if workers != 2:
            errors.append(f"the cluster had {workers} workers, not 2")
        n_single = n_dask = flagged = 0
        for a, b in zip(lines([single]), lines(outputs)):
            n_single += 1
            n_dask += 1
            if without_line(a) != without_line(b):
                errors.append(f"line {n_single} differs:\n  single: {a[:300]}\n  dask:   {b[:300]}")
                break
            flagged += bool(json.loads(a)["hits"])
        if not errors:
            n_single = sum(1 for _ in lines([single]))
            n_dask = sum(1 for _ in lines(outputs))
        if n_single != len(rows):
            errors.append(f"the single process wrote {n_single} lines for {len(rows)} parties")
        if n_dask != n_single:
            errors.append(f"Dask wrote {n_dask} lines, the single process {n_single}")
        if sha256(db) != before:
            errors.append("the database changed: --read-only wrote to it")
        if flagged == 0:
            errors.append("no party flagged: the list was not screened against")
        for e in errors:
            print("dask_pipe: FAIL:", e)
        if errors:
            return 1
        print(f"dask_pipe: {len(rows)} parties, {PARTITIONS} partitions on {workers} workers: "
              f"the same {n_single} JSON lines as one process ({flagged} flagged)")
        return 0


if __name__ == "__main__":
    sys.exit(main())
