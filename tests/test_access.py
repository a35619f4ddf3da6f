"""Many users, one database: real `omicskb` processes reading during loads, waiting for and naming
lock holders, killed loads marked interrupted, options after the subcommand, one-line usage errors
and masked passwords.

Loads are paused at a known point without timing: the load runs with stderr on a pseudo-terminal,
so it prints its progress; when it says it is writing values, the test stops it (SIGSTOP) while it
holds the lock and its run is `running`, and continues (SIGCONT) or kills it (SIGKILL) from there.
Timeouts below only keep a broken test from hanging; no assertion depends on how long anything took.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import click
import numpy as np
import pytest
import sqlalchemy as sa

from conftest import PG_URL, SEEDS, _postgres_target, query_rows
from omicskb.etl import liveness
from omicskb.etl.cli import Settings, cli, command_writes
from omicskb.etl.db import is_read_only, make_engine, mask_secrets, utcnow
from omicskb.etl.locks import LockTimeout, describe_command
from omicskb.schema.models import LoadRun

HANG_GUARD = 300  # seconds before a test that waits for a process gives up (a hang, not a result)
EXE = Path(sys.executable).with_name("omicskb")
OMICSKB = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "omicskb.etl.cli"]
HOST = socket.gethostname()


def env(**extra: str) -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if k not in ("OMICSKB_DB", "OMICSKB_LOCK_TIMEOUT")}
    out.update(extra)
    return out


def run(*args, cwd=None, **extra_env) -> subprocess.CompletedProcess:
    """Run omicskb to the end with stdout and stderr captured (not a terminal: no progress output)."""
    return subprocess.run([*OMICSKB, *map(str, args)], capture_output=True, text=True, env=env(**extra_env), cwd=cwd, timeout=HANG_GUARD)


def one_line(stderr: str, start: str = "omicskb: error: ") -> str:
    lines = stderr.strip("\n").splitlines()
    assert len(lines) == 1 and lines[0].startswith(start), stderr
    assert "Traceback" not in stderr
    return lines[0]


class Terminal:
    """An omicskb process with stderr on a pseudo-terminal, so it shows progress and lock waits."""

    def __init__(self, *args, **extra_env):
        master, slave = pty.openpty()
        self.proc = subprocess.Popen([*OMICSKB, *map(str, args)], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave, env=env(**extra_env))
        os.close(slave)
        self.master = master
        self.stderr = ""
        self.stdout = ""
        self._reader = threading.Thread(target=self._read_stdout, daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _read_stdout(self) -> None:
        self.stdout = self.proc.stdout.read().decode()

    def _pump(self, wait: float) -> bool:
        """Read what the terminal shows; False once the process has closed it."""
        ready, _, _ = select.select([self.master], [], [], wait)
        if not ready:
            return True
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # EIO: every writer closed the terminal
            chunk = b""
        self.stderr += chunk.decode(errors="replace")
        return bool(chunk)

    def wait_for(self, text: str) -> None:
        guard = time.monotonic() + HANG_GUARD
        while text not in self.stderr:
            if not self._pump(0.2) and text not in self.stderr:
                raise AssertionError(f"omicskb ended (rc {self.proc.wait()}) without showing {text!r}: {self.stderr!r} {self.stdout!r}")
            assert time.monotonic() < guard, f"hang: no {text!r} after {HANG_GUARD} s: {self.stderr!r}"

    def finish(self) -> int:
        guard = time.monotonic() + HANG_GUARD
        while self._pump(0.2):
            assert time.monotonic() < guard, f"hang: {self.stderr!r}"
        rc = self.proc.wait(timeout=HANG_GUARD)
        self._reader.join(HANG_GUARD)
        os.close(self.master)
        return rc

    def kill(self, sig: int = signal.SIGKILL) -> None:
        os.kill(self.pid, sig)


HOLD = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "ro")
print("held", flush=True)
sys.stdin.readline()
con.close()
"""


class Holder:
    """Another process (an analyst's Python) holding a DuckDB connection until released."""

    def __init__(self, path: str, mode: str, *extra_args: str):
        self.proc = subprocess.Popen([sys.executable, "-c", HOLD, path, mode, *extra_args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "held"

    def release(self) -> None:
        self.proc.stdin.close()
        assert self.proc.wait(timeout=HANG_GUARD) == 0

    def __enter__(self) -> Holder:
        return self

    def __exit__(self, *exc) -> None:
        if self.proc.poll() is None:
            self.release()


def write_matrix(path: Path, rows: int, samples: int, seed: int = 1) -> Path:
    """A synthetic feature x sample matrix with made-up feature ids (stored unlinked)."""
    values = np.random.default_rng(seed).normal(size=(rows, samples)).round(3)
    with open(path, "w") as out:
        out.write("idx\t" + "\t".join(f"S{j:04d}" for j in range(samples)) + "\n")
        for i, row in enumerate(values):
            out.write(f"F{i}\t" + "\t".join(map(str, row)) + "\n")
    return path


def load_args(target: str, path: Path) -> list:
    return ["--db", target, "load", "matrix", path, "--cohort", "UCEC", "--omics", "rna", "--sample-type", "tumor"]


def paused_load(target: str, path: Path) -> Terminal:
    """A load stopped while it writes values: it holds the write lock and its run is `running`."""
    load = Terminal(*load_args(target, path))
    load.wait_for("values")  # step 3 of 4: features and the dataset are written, values are next
    load.kill(signal.SIGSTOP)
    return load


def runs_of(target: str, path: Path) -> list[tuple]:
    return query_rows(target, "SELECT status, message, process_id, host FROM load_run WHERE file_path = :p ORDER BY run_id", p=str(path.resolve()))


@pytest.fixture
def seeded_duckdb(duckdb_target, omicskb) -> str:
    result = omicskb(duckdb_target, "load", "seeds", SEEDS)
    assert result.exit_code == 0, result.output
    assert not Path(duckdb_target + ".wal").exists()  # the in-process engine was closed: checkpointed
    return duckdb_target


@pytest.fixture
def big_matrix(tmp_path) -> Path:
    return write_matrix(tmp_path / "big.tsv", rows=20_000, samples=60)


# ---------------------------------------------------------------------------------------------
# Read commands open read-only; a writer takes the lock


def test_each_command_declares_what_it_needs():
    load = cli.commands["load"]
    for name in ("gene", "values", "cohorts", "query", "queries", "runs"):
        ctx = click.Context(cli.commands[name], parent=click.Context(cli))
        assert not command_writes(ctx), name
    assert command_writes(click.Context(cli.commands["init"], parent=click.Context(cli)))
    for name in load.commands:
        assert command_writes(click.Context(load.commands[name], parent=click.Context(load, parent=click.Context(cli)))), name


@pytest.mark.parametrize("backend", ["duckdb", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_a_read_command_gets_an_engine_that_cannot_write(backend, request):
    target = request.getfixturevalue("duckdb_target" if backend == "duckdb" else "pg_target")
    settings = Settings(target, quiet=True)
    with click.Context(cli, obj=settings) as root, click.Context(cli.commands["runs"], parent=root):
        engine = settings.engine
        assert is_read_only(engine)
        with pytest.raises(sa.exc.DBAPIError, match="read-only"), engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO cohort (cohort_code) VALUES ('ZZZ')"))
    settings.close()
    with click.Context(cli, obj=settings) as root, click.Context(cli.commands["init"], parent=root):
        assert not is_read_only(settings.engine)
    settings.close()
    assert query_rows(target, "SELECT count(*) FROM cohort WHERE cohort_code = 'ZZZ'") == [(0,)]


def test_a_read_waits_for_a_load_then_answers(seeded_duckdb, big_matrix):
    load = paused_load(seeded_duckdb, big_matrix)
    reader = Terminal("--db", seeded_duckdb, "runs")
    try:
        reader.wait_for(f"PID {load.pid}")  # it waits, and says for whom
        assert "omicskb --db" in reader.stderr and "load matrix" in reader.stderr
        assert reader.proc.poll() is None
    finally:
        load.kill(signal.SIGCONT)
    assert load.finish() == 0, load.stderr
    assert reader.finish() == 0, reader.stderr
    (line,) = [line for line in reader.stdout.splitlines() if str(big_matrix.resolve()) in line]
    assert " ok " in line  # it answered after the load committed
    assert runs_of(seeded_duckdb, big_matrix) == [("ok", None, load.pid, HOST)]


def test_two_reads_at_once(seeded_duckdb):
    """Reader A blocks on a full pipe while it holds its shared lock; reader B answers meanwhile."""
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, getattr(fcntl, "F_SETPIPE_SZ", 1031), 4096)
    a = subprocess.Popen([*OMICSKB, "--db", seeded_duckdb, "values", "IL7", "--all-values"], stdout=write_end, stderr=subprocess.PIPE, env=env(PYTHONUNBUFFERED="1"))
    os.close(write_end)
    try:
        assert select.select([read_end], [], [], HANG_GUARD)[0]  # A has queried: it holds the lock
        b = run("--db", seeded_duckdb, "--lock-timeout", "0", "gene", "IL7")
        assert b.returncode == 0 and b.stdout.startswith("IL7"), b.stderr
        # A still holds its lock: a writer cannot get in, and is told it is A, a reader
        w = run("--db", seeded_duckdb, "--lock-timeout", "0", "load", "categories", SEEDS / "categories_il7.tsv")
        assert w.returncode == 2 and f"a reader, PID {a.pid} (omicskb --db" in one_line(w.stderr), w.stderr
        assert a.poll() is None
    finally:
        with os.fdopen(read_end, "rb") as pipe:
            out = pipe.read()
    assert a.wait(timeout=HANG_GUARD) == 0, a.stderr.read()
    assert out.decode().startswith("IL7") and out.count(b"\n") > 100


def test_reads_while_an_analyst_holds_a_read_only_connection(seeded_duckdb):
    with Holder(seeded_duckdb, "ro") as analyst:
        for args in (("gene", "IL7"), ("cohorts",), ("values", "IL7", "--cohort", "UCEC"), ("runs",), ("query", "audit_runs_not_finished")):
            result = run("--db", seeded_duckdb, "--lock-timeout", "0", *args)
            assert result.returncode == 0 and result.stderr == "", (args, result.stderr)
        assert run("--db", seeded_duckdb, "gene", "IL7").stdout.startswith("IL7")
        # a write waits for the analyst, then says who it is
        result = run("--db", seeded_duckdb, "--lock-timeout", "1", "load", "categories", SEEDS / "categories_il7.tsv")
        line = one_line(result.stderr)
        assert result.returncode == 2 and f"is locked by a reader, PID {analyst.proc.pid} (" in line and "--lock-timeout" in line


def test_the_lock_timeout_names_the_holder_in_one_line(seeded_duckdb, big_matrix):
    load = paused_load(seeded_duckdb, big_matrix)
    try:
        for args, extra in ((("--lock-timeout", "1", "gene", "IL7"), {}), (("gene", "IL7"), {"OMICSKB_LOCK_TIMEOUT": "0.5"}),
                            (("load", "categories", SEEDS / "categories_il7.tsv", "--lock-timeout", "1"), {})):
            result = run("--db", seeded_duckdb, *args, **extra)
            line = one_line(result.stderr)
            assert result.returncode == 2 and result.stdout == ""
            assert f"database {Path(seeded_duckdb).resolve()} is locked by" in line
            assert f"PID {load.pid} (omicskb --db {seeded_duckdb} load matrix " in line, line
    finally:
        load.kill(signal.SIGCONT)
    assert load.finish() == 0


def test_a_holder_command_line_is_shown_with_its_password_masked(duckdb_target):
    with Holder(duckdb_target, "rw", "postgresql://ana:Sup3rSecret@db.example/omicskb") as holder:
        result = run("--db", duckdb_target, "--lock-timeout", "0", "runs")
    line = one_line(result.stderr)
    assert f"a writer, PID {holder.proc.pid} (" in line and "ana:***@db.example" in line and "Sup3rSecret" not in line


def test_a_read_command_on_a_missing_database_creates_nothing(tmp_path):
    for args in (("gene", "IL7"), ("runs",), ("cohorts",), ("values", "IL7"), ("query", "audit_runs_not_finished")):
        result = run("--db", tmp_path / "none.duckdb", *args, cwd=tmp_path)
        assert result.returncode == 2 and "no database at" in one_line(result.stderr), result.stderr
        result = run(*args, cwd=tmp_path)  # the default ./omicskb.duckdb
        assert result.returncode == 2 and f"no database at {tmp_path / 'omicskb.duckdb'}" in one_line(result.stderr)
    assert list(tmp_path.iterdir()) == []


def test_a_database_file_nobody_may_write_is_readable(seeded_duckdb, tmp_path):
    os.chmod(seeded_duckdb, 0o444)
    result = run("--db", seeded_duckdb, "gene", "IL7")
    assert result.returncode == 0 and result.stdout.startswith("IL7"), result.stderr
    assert not Path(seeded_duckdb + ".wal").exists()
    if os.geteuid() != 0:  # an ordinary user: the file mode alone holds writers off
        result = run("--db", seeded_duckdb, "load", "categories", SEEDS / "categories_il7.tsv")
        assert result.returncode == 2 and "cannot open" in one_line(result.stderr).lower()
        return
    # root ignores file modes: read it as `nobody`, from a folder nobody may write either
    folder = Path(tempfile.mkdtemp(prefix="omicskb-444-"))
    try:
        os.chmod(folder, 0o755)
        shutil.copy(seeded_duckdb, folder / "ro.duckdb")
        os.chmod(folder / "ro.duckdb", 0o444)
        os.chmod(folder, 0o555)
        as_nobody = (
            "import os, sys, omicskb.etl.cli as cli, omicskb.etl.genecard, omicskb.etl.liveness, duckdb, duckdb_engine\n"
            "import sqlalchemy.dialects.postgresql\n"
            "import omicskb.etl.queries; omicskb.etl.queries.catalogue()  # sqlglot's lazy imports of the stdlib\n"
            "os.setgid(65534); os.setuid(65534)\n"
            "sys.argv = ['omicskb', *sys.argv[1:]]\n"
            "cli.main()\n"
        )
        db = str(folder / "ro.duckdb")
        read = subprocess.run([sys.executable, "-c", as_nobody, "--db", db, "gene", "IL7"], capture_output=True, text=True, cwd="/", timeout=HANG_GUARD)
        assert read.returncode == 0 and read.stdout.startswith("IL7"), read.stderr
        write = subprocess.run([sys.executable, "-c", as_nobody, "--db", db, "load", "categories", str(SEEDS / "categories_il7.tsv")],
                               capture_output=True, text=True, cwd="/", timeout=HANG_GUARD)
        assert write.returncode == 2 and "Permission denied" in one_line(write.stderr), write.stderr
        assert sorted(p.name for p in folder.iterdir()) == ["ro.duckdb"]
    finally:
        os.chmod(folder, 0o755)
        shutil.rmtree(folder)


# ---------------------------------------------------------------------------------------------
# A killed load


def test_a_killed_load_is_marked_interrupted_by_the_next_writer_duckdb(duckdb_target, big_matrix):
    load = paused_load(duckdb_target, big_matrix)
    load.kill(signal.SIGKILL)
    assert load.finish() == -signal.SIGKILL
    # read commands cannot write, but tell that the process is gone
    result = run("--db", duckdb_target, "runs")
    (line,) = [line for line in result.stdout.splitlines() if str(big_matrix.resolve()) in line]
    assert "running (process gone)" in line
    audit = run("--db", duckdb_target, "query", "audit_runs_not_finished", "--format", "json")
    assert [(r["what"], r["detail"]) for r in json.loads(audit.stdout)] == [("run", str(big_matrix.resolve()))]
    # the rerun, a writer, marks it and loads
    rerun = run(*load_args(duckdb_target, big_matrix))
    assert rerun.returncode == 0, rerun.stderr
    assert f"was interrupted: process {load.pid} on {HOST} ended before it finished; marked interrupted" in rerun.stderr
    audit = run("--db", duckdb_target, "query", "audit_runs_not_finished", "--format", "json")
    assert audit.returncode == 0 and json.loads(audit.stdout) == []
    (killed, good) = runs_of(duckdb_target, big_matrix)
    assert killed[0] == "interrupted" and killed[2:] == (load.pid, HOST)
    assert f"process {load.pid} on {HOST} ended before it finished" in killed[1]
    assert good[0] == "ok" and good[2] != load.pid and good[3] == HOST
    assert query_rows(duckdb_target, "SELECT count(*) FROM dataset WHERE name = 'big'") == [(1,)]


def wait_for_backends_to_end(pid: int) -> None:
    """PostgreSQL ends a killed client's sessions (and frees their locks) when it notices the closed socket."""
    engine = make_engine(PG_URL)
    guard = time.monotonic() + HANG_GUARD
    try:
        while True:
            with engine.connect() as conn:
                left = conn.execute(sa.text("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE :name"), {"name": f"% (pid {pid})"}).scalar()
            if left == 0:
                return
            assert time.monotonic() < guard, f"sessions of killed PID {pid} still open"
            time.sleep(0.1)
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_a_killed_load_is_marked_interrupted_by_the_next_writer_postgresql(pg_target, big_matrix):
    load = paused_load(pg_target, big_matrix)
    # while the load lives, its run holds its advisory lock, on a session named after the process
    held = query_rows(pg_target, "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                                 "WHERE l.locktype = 'advisory' AND l.granted")
    assert (f"omicskb load matrix (pid {load.pid})",) in held
    result = run("--db", pg_target, "runs")
    (line,) = [line for line in result.stdout.splitlines() if str(big_matrix.resolve()) in line]
    assert " running " in line and "process gone" not in line  # alive, only stopped
    load.kill(signal.SIGKILL)
    assert load.finish() == -signal.SIGKILL
    wait_for_backends_to_end(load.pid)
    result = run("--db", pg_target, "runs")
    (line,) = [line for line in result.stdout.splitlines() if str(big_matrix.resolve()) in line]
    assert "running (process gone)" in line
    rerun = run(*load_args(pg_target, big_matrix))
    assert rerun.returncode == 0, rerun.stderr
    assert f"was interrupted: process {load.pid} on {HOST} ended before it finished" in rerun.stderr
    audit = run("--db", pg_target, "query", "audit_runs_not_finished", "--format", "json")
    assert audit.returncode == 0 and json.loads(audit.stdout) == []
    (killed, good) = runs_of(pg_target, big_matrix)
    assert killed[0] == "interrupted" and killed[2:] == (load.pid, HOST)
    assert good[0] == "ok" and good[3] == HOST


@pytest.mark.postgres
def test_reading_during_a_load_on_postgresql(pg_target, big_matrix):
    load = paused_load(pg_target, big_matrix)
    try:
        for args in (("runs",), ("cohorts",), ("query", "audit_runs_not_finished")):
            result = run("--db", pg_target, "--lock-timeout", "5", *args)  # no waiting: it would time out
            assert result.returncode == 0 and result.stderr == "", result.stderr
        assert str(big_matrix.resolve()) in result.stdout  # the load's run, running
    finally:
        load.kill(signal.SIGCONT)
    assert load.finish() == 0
    # An empty database: the load's dataset became UCEC's first, hence default, rna dataset.
    assert runs_of(pg_target, big_matrix) == [("ok", "default rna dataset of UCEC: big (first loaded)", load.pid, HOST)]


@pytest.mark.postgres
def test_a_postgresql_lock_wait_names_the_session_holding_it(pg_target):
    import psycopg

    with psycopg.connect(pg_target, application_name="analyst holding gene") as analyst:
        analyst.execute("LOCK TABLE gene IN ACCESS EXCLUSIVE MODE")
        result = run("--db", pg_target, "--lock-timeout", "1", "gene", "IL7")
        backend = analyst.info.backend_pid
    line = one_line(result.stderr)
    assert result.returncode == 2 and "gave up after waiting 1 s for a PostgreSQL lock" in line
    assert f"backend {backend} ('analyst holding gene'" in line


# ---------------------------------------------------------------------------------------------
# The liveness library: rows held by live processes are never marked

CHILD = """
import sys
import sqlalchemy as sa
from omicskb.etl import liveness
from omicskb.etl.db import make_engine, utcnow
from omicskb.schema.models import LoadBatch, LoadRun

engine = make_engine(sys.argv[1])
hold = sys.argv[2] == "hold"
owner = liveness.owner_values(engine)
with engine.begin() as conn:
    batch = conn.execute(sa.insert(LoadBatch).values(command="child batch", directory="d", planned_files="a", n_planned=1,
                         status="running", started_at=utcnow(), **owner).returning(LoadBatch.batch_id)).scalar_one()
    run = conn.execute(sa.insert(LoadRun).values(command="child run", file_path="f", status="running", started_at=utcnow(),
                       omicskb_version="test", batch_id=batch, **owner).returning(LoadRun.run_id)).scalar_one()
if hold:
    liveness.acquire_batch(engine, batch)
    liveness.acquire_run(engine, run)
if sys.argv[3] == "close":
    engine.dispose()  # DuckDB: let the parent open the file; the rows stay `running`
print(run, batch, flush=True)
sys.stdin.readline()
"""


def start_child(target: str, hold: str, close: str = "keep") -> tuple[subprocess.Popen, int, int]:
    child = subprocess.Popen([sys.executable, "-c", CHILD, target, hold, close], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    run_id, batch_id = map(int, child.stdout.readline().split())
    return child, run_id, batch_id


def statuses(target: str, run_id: int, batch_id: int) -> tuple:
    return (query_rows(target, "SELECT status FROM load_run WHERE run_id = :i", i=run_id)[0][0],
            query_rows(target, "SELECT status FROM load_batch WHERE batch_id = :i", i=batch_id)[0][0])


@pytest.mark.postgres
@pytest.mark.parametrize("hold", ["hold", "owner-only"])
def test_postgresql_marks_only_rows_whose_process_is_gone(pg_target, hold):
    """`owner-only`: between inserting its row and holding it, the process lock protects a run."""
    child, run_id, batch_id = start_child(pg_target, hold)
    engine = make_engine(pg_target)
    try:
        assert liveness.mark_interrupted(engine) == 0
        assert liveness.gone_running(engine) == {"load_run": set(), "load_batch": set()}
        assert statuses(pg_target, run_id, batch_id) == ("running", "running")
        child.kill()
        child.wait()
        wait_for_backends_to_end(child.pid)
        reader = make_engine(pg_target, read_only=True)
        assert liveness.gone_running(reader) == {"load_run": {run_id}, "load_batch": {batch_id}}
        reader.dispose()
        marked = []
        assert liveness.mark_interrupted(engine, on_mark=marked.append) == 2
        assert sorted((m.table, m.id, m.process_id, m.host) for m in marked) == [("load_batch", batch_id, child.pid, HOST), ("load_run", run_id, child.pid, HOST)]
        assert statuses(pg_target, run_id, batch_id) == ("interrupted", "interrupted")
        assert liveness.mark_interrupted(engine) == 0
    finally:
        if child.poll() is None:
            child.kill()
        engine.dispose()


def test_duckdb_marks_every_running_row_but_those_this_process_holds(duckdb_target):
    child, run_id, batch_id = start_child(duckdb_target, "hold", "close")
    child.kill()
    child.wait()
    engine = make_engine(duckdb_target)
    try:
        with engine.begin() as conn:  # a run of this very process, in progress
            mine = conn.execute(sa.insert(LoadRun).values(command="mine", file_path="m", status="running", started_at=utcnow(),
                                omicskb_version="test", **liveness.owner_values(engine)).returning(LoadRun.run_id)).scalar_one()
        with liveness.hold_run(engine, mine):
            assert liveness.gone_running(engine) == {"load_run": {run_id}, "load_batch": {batch_id}}
            assert liveness.mark_interrupted(engine) == 2
            assert statuses(duckdb_target, run_id, batch_id) == ("interrupted", "interrupted")
            assert query_rows(duckdb_target, "SELECT status FROM load_run WHERE run_id = :i", i=mine) == [("running",)]
        assert liveness.mark_interrupted(engine) == 1  # no longer held: this process says it is gone
        message = query_rows(duckdb_target, "SELECT message FROM load_run WHERE run_id = :i", i=run_id)[0][0]
        assert f"run {run_id} (child run) was interrupted: process {child.pid} on {HOST}" in message
    finally:
        engine.dispose()


def test_mark_interrupted_refuses_a_read_only_engine_and_skips_a_database_without_tables(duckdb_target, tmp_path):
    reader = make_engine(duckdb_target, read_only=True)
    with pytest.raises(ValueError):
        liveness.mark_interrupted(reader)
    reader.dispose()
    empty = make_engine(str(tmp_path / "empty.duckdb"))
    assert liveness.mark_interrupted(empty) == 0
    empty.dispose()


def test_load_runs_record_their_process_and_host(duckdb_target, omicskb):
    result = omicskb(duckdb_target, "load", "categories", SEEDS / "categories_il7.tsv")
    assert result.exit_code == 0, result.output
    assert query_rows(duckdb_target, "SELECT status, process_id, host FROM load_run WHERE source_kind = 'categories'") == [("ok", os.getpid(), HOST)]


def test_a_library_lock_timeout_is_an_omicskb_error(duckdb_target):
    with Holder(duckdb_target, "rw"):
        engine = make_engine(duckdb_target, read_only=True, lock_timeout=0)
        with pytest.raises(LockTimeout, match="is locked by a writer"):
            engine.connect()
        engine.dispose()


# ---------------------------------------------------------------------------------------------
# Options after the subcommand, one-line usage errors, masked passwords


def test_global_options_are_accepted_after_the_subcommand(seeded_duckdb, tmp_path):
    result = run("gene", "IL7", "--db", seeded_duckdb, "-q", "--lock-timeout", "5", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("IL7"), result.stderr
    result = run("load", "categories", SEEDS / "categories_il7.tsv", "--quiet", "--db", seeded_duckdb, cwd=tmp_path)
    assert result.returncode == 0 and ": unchanged," in result.stdout, result.stderr
    result = run("load", "--db", seeded_duckdb, "categories", SEEDS / "categories_il7.tsv", cwd=tmp_path)
    assert result.returncode == 0 and ": unchanged," in result.stdout, result.stderr
    result = run("runs", "--limit", "1", "--db", seeded_duckdb, cwd=tmp_path)
    assert result.returncode == 0 and len(result.stdout.splitlines()) == 1
    assert not (tmp_path / "omicskb.duckdb").exists()  # not the default ./omicskb.duckdb
    result = run("--db", tmp_path / "ignored.duckdb", "gene", "IL7", "--db", seeded_duckdb, cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("IL7")  # the later --db wins
    result = run("--db", seeded_duckdb, "gene", "IL7", "--lock-timeout", "soon")
    assert result.returncode == 2 and "--lock-timeout" in one_line(result.stderr, "omicskb: usage error: ")


@pytest.mark.parametrize("args, words", [
    (("gene",), "gene: Missing argument 'QUERY'"),
    (("bogus",), "No such command 'bogus'"),
    (("gene", "IL7", "--bogus"), "gene: No such option '--bogus'"),
    (("cohorts", "--format", "xml"), "cohorts: Invalid value for '--format'"),
    (("load", "matrix", "x.tsv"), "load matrix: Missing option '--cohort'"),
    (("--lock-timeout", "-1", "runs"), "Invalid value for '--lock-timeout'"),
    (("query", "gene_values", "-p", "novalue"), "query: -p 'novalue' is not NAME=VALUE"),
])
def test_usage_errors_are_one_line(args, words, tmp_path):
    result = run(*args, cwd=tmp_path)
    line = one_line(result.stderr, "omicskb: usage error: ")
    assert result.returncode == 2 and result.stdout == "" and words in line, line
    assert list(tmp_path.iterdir()) == []


def test_help_is_unchanged():
    result = run("gene", "--help")
    assert result.returncode == 0 and result.stdout.startswith("Usage: omicskb gene [OPTIONS] QUERY")
    assert "--db" not in result.stdout  # the global options are documented once, at the top
    top = run("--help")
    assert top.returncode == 0 and "--lock-timeout SECONDS" in top.stdout and "OMICSKB_LOCK_TIMEOUT" in top.stdout


def test_mask_secrets():
    assert mask_secrets("postgresql://u:p%40ss@h:5432/db?x=1") == "postgresql://u:***@h:5432/db?x=1"
    assert mask_secrets("a postgres://u:pw@h/db and mysql+pymysql://v:w@h") == "a postgres://u:***@h/db and mysql+pymysql://v:***@h"
    assert mask_secrets("postgresql://u@h/db /data/x.duckdb") == "postgresql://u@h/db /data/x.duckdb"
    assert describe_command(["/v/bin/python", "/v/bin/omicskb", "--db", "postgresql://u:pw@h/db", "runs"]) == "omicskb --db postgresql://u:***@h/db runs"


def test_a_long_command_line_is_shortened_after_its_password_is_masked():
    # A cut inside the URL (a long interpreter path in CI put it right at the limit) must not leave
    # the start of a password readable.
    deep = "/" + "d" * 230 + "/bin/python"
    shown = describe_command([deep, "x.py", "postgresql://ana:Sup3rSecretPassword@db.example/omicskb"])
    assert "Sup3" not in shown and len(shown) <= 300
    # `python -c <many-line script> ...` shows the arguments, not the script
    shown = describe_command(["/v/bin/python", "-c", "import sys\n" * 30, "x.duckdb", "postgresql://a:b@h/db"])
    assert shown == "/v/bin/python -c <script> x.duckdb postgresql://a:***@h/db"


@pytest.mark.postgres
def test_the_password_is_never_printed():
    _postgres_target()  # an empty database, or skip
    url = sa.engine.make_url(PG_URL)
    password = url.password
    assert password
    result = run("--db", PG_URL, "init")
    assert result.returncode == 0, result.stderr
    assert f":{password}@" not in result.stdout + result.stderr and ":***@" in result.stdout
    wrong = url.set(password="Wr0ngPassw0rd").render_as_string(hide_password=False)
    result = run("--db", wrong, "runs")
    assert result.returncode == 2 and "Wr0ngPassw0rd" not in one_line(result.stderr)
    bad_port = f"postgresql://{url.username}:Wr0ngPassw0rd@{url.host}:notaport/{url.database}"
    result = run("--db", bad_port, "runs")
    assert result.returncode == 2 and "Wr0ngPassw0rd" not in one_line(result.stderr, "omicskb: ")
    # sessions are labelled for pg_stat_activity without the URL
    engine = make_engine(PG_URL, application_name="omicskb test")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()")).scalar() == f"omicskb test (pid {os.getpid()})"
    engine.dispose()
