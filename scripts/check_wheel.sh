#!/usr/bin/env bash
# Check the built wheel as a user gets it, away from the source tree:
#   1. git clone this repository at HEAD (committed files only) into a temporary folder;
#   2. build the wheel there (pip wheel, PEP 517);
#   3. install it into a fresh venv outside the repository, twice: with the newest dependencies,
#      and with every dependency at the floor pyproject.toml declares (duckdb>=X installs duckdb==X);
#   4. from a folder outside the repository: omicskb init, load gene-info, load seeds, gene IL7,
#      queries, values IL7 --cohort UCEC, a saved query and its --sql script in plain DuckDB, a
#      Parquet output and the Python API (import omicskb), checking each exit code and output.
# Any failure stops the script with a message naming the step and a non-zero exit.
#
#   scripts/check_wheel.sh                     # both installs
#   OMICSKB_WHEEL_DUCKDB=1.2.2 scripts/check_wheel.sh --floor-only   # the floors, but another duckdb release
set -euo pipefail

repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
python=${PYTHON:-python3}
work=$(mktemp -d "${TMPDIR:-/tmp}/omicskb-wheel.XXXXXX")
keep=${OMICSKB_WHEEL_KEEP:-}
trap '[ -n "$keep" ] || rm -rf "$work"' EXIT
only_floor=false
[ "${1:-}" = "--floor-only" ] && only_floor=true

fail() { echo "check_wheel: FAILED: $*" >&2; exit 1; }
say() { echo "[check_wheel] $*"; }

say "cloning $repo at $(git -C "$repo" rev-parse --short HEAD) into $work/src"
git clone -q --no-hardlinks "$repo" "$work/src"
src=$work/src

say "building the wheel"
"$python" -m pip wheel -q --no-deps -w "$work/dist" "$src" >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; fail "wheel build"; }
wheel=$(ls "$work"/dist/omicskb-*.whl)
say "built $(basename "$wheel")"

# What the wheel must hold: the three packages, the migrations and every saved query, and nothing else at top level.
"$python" - "$wheel" "$src" <<'EOF' || fail "wheel contents"
import sys, zipfile, pathlib
wheel, src = sys.argv[1], pathlib.Path(sys.argv[2])
names = zipfile.ZipFile(wheel).namelist()
tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith((".dist-info", ".data"))}
assert tops == {"omicskb"}, f"top-level entries besides omicskb/: {sorted(tops)}"
for sql in sorted((src / "queries").glob("*.sql")):
    assert f"omicskb/queries/{sql.name}" in names, f"saved query {sql.name} is not in the wheel"
for migration in sorted((src / "schema" / "migrations" / "versions").glob("*.py")):
    assert f"omicskb/schema/migrations/versions/{migration.name}" in names, f"migration {migration.name} is not in the wheel"
for needed in ("omicskb/schema/migrations/env.py", "omicskb/schema/migrations/script.py.mako"):
    assert needed in names, f"{needed} is not in the wheel"
print(f"[check_wheel] wheel holds {len(names)} files, every saved query and migration")
EOF

# Every dependency at its floor: "name[extra]>=X,<Y" -> "name[extra]==X".
floors_text=$("$python" "$src/scripts/dependency_floors.py" "$src/pyproject.toml") || fail "reading the dependency floors of pyproject.toml"
[ -z "${OMICSKB_WHEEL_DUCKDB:-}" ] || floors_text=$(echo "$floors_text" | sed "s/^duckdb==.*/duckdb==$OMICSKB_WHEEL_DUCKDB/")
mapfile -t floors <<<"$floors_text"
printf '%s\n' "${floors[@]}" | grep -q '^duckdb==' || fail "no duckdb>=X floor in pyproject.toml"

expect() {  # expect LABEL FILE PATTERN: the output must match the extended regex
    grep -Eq -- "$3" "$2" || { echo "--- $1 printed:" >&2; cat "$2" >&2; fail "$1: output lacks /$3/"; }
}

run() {  # run LABEL CMD...: must exit 0; output in $out
    local label=$1; shift
    out="$work/out.$(echo "$label" | tr -c 'a-z0-9' '_')"
    local rc=0
    "$@" >"$out" 2>&1 || rc=$?
    [ "$rc" -eq 0 ] || { cat "$out" >&2; fail "$label exited $rc"; }
}

release() { echo "$1" | sed -E 's/(\.0)+$//'; }  # 1.26.0 and 1.26 are one release

check_install() {  # check_install NAME [PIP REQUIREMENT...]
    local name=$1; shift
    local venv=$work/venv-$name
    say "[$name] fresh venv, installing the wheel${*:+ with $*}"
    "$python" -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "$wheel" "$@" >"$work/pip-$name.log" 2>&1 || { cat "$work/pip-$name.log" >&2; fail "[$name] pip install"; }
    say "[$name] installed: $("$venv/bin/python" -c 'import duckdb, duckdb_engine, sqlalchemy, pyarrow, numpy, psycopg; from importlib.metadata import version as v; print(", ".join(f"{p} {v(p)}" for p in ("duckdb", "duckdb-engine", "sqlalchemy", "pyarrow", "numpy", "psycopg", "alembic", "click")))')"
    for requirement in "$@"; do
        local package=${requirement%%==*} wanted=${requirement#*==}
        package=${package%%\[*}
        local got
        got=$("$venv/bin/python" -c "from importlib.metadata import version; print(version('$package'))")
        [ "$(release "$got")" = "$(release "$wanted")" ] || fail "[$name] $package is $got, not $wanted"
    done

    local run_dir=$work/run-$name
    mkdir -p "$run_dir"
    cd "$run_dir"  # outside the repository and the clone: only the installed package can be imported
    local where
    where=$("$venv/bin/python" -c 'import omicskb, omicskb.etl, omicskb.queries, omicskb.schema; assert omicskb.connect; print(omicskb.etl.__file__)')
    case "$where" in "$venv"/*) ;; *) fail "[$name] omicskb.etl imported from $where, not from the venv" ;; esac
    "$venv/bin/python" -c 'import etl' 2>/dev/null && fail "[$name] a top-level 'etl' package is importable"

    local omicskb=("$venv/bin/omicskb" --db "$run_dir/check.duckdb")
    run "[$name] init" "${omicskb[@]}" init
    expect "[$name] init" "$out" "schema created at revision"
    run "[$name] load gene-info" "${omicskb[@]}" load gene-info "$src/seeds/gene_info_il7_ucec.tsv"
    expect "[$name] load gene-info" "$out" "^  gene: 261 rows"
    run "[$name] load seeds" "${omicskb[@]}" --quiet load seeds "$src/seeds"
    expect "[$name] load seeds" "$out" "^  values: [0-9,]+"
    run "[$name] gene IL7" "${omicskb[@]}" gene IL7
    expect "[$name] gene IL7" "$out" "^IL7 +interleukin 7$"
    expect "[$name] gene IL7" "$out" "Gene ID 3574"
    run "[$name] queries" "${omicskb[@]}" queries
    local listed shipped
    listed=$(grep -Ec '^[a-z_0-9]+ ' "$out" || true)
    shipped=$(ls "$src"/queries/*.sql | grep -vc '/macros\.sql$')
    [ "$listed" -eq "$shipped" ] || { cat "$out" >&2; fail "[$name] queries lists $listed saved queries, the repository has $shipped"; }
    expect "[$name] queries" "$out" "^gene_value_summary "
    run "[$name] values IL7" "${omicskb[@]}" values IL7 --cohort UCEC
    # The seed subset is real UCEC data: 95 usable tumors, RNA's 14 adjacent normals.
    expect "[$name] values IL7" "$out" "UCEC +rna +IL7 +tumor +95 "
    expect "[$name] values IL7" "$out" "UCEC +rna +IL7 +normal +14 "
    expect "[$name] values IL7" "$out" "UCEC +cnv +IL7 +tumor +95 "
    # The statistics engine (numpy and scipy at this venv's versions): IL7's RNA test, exact to R's.
    run "[$name] derive" "${omicskb[@]}" derive
    expect "[$name] derive" "$out" "^tumor vs normal: 4 comparisons computed"
    expect "[$name] derive" "$out" "^cis: 9 blocks computed"
    expect "[$name] derive" "$out" "^phenotypes: 4 blocks computed"
    expect "[$name] derive" "$out" "^trans: 2 blocks computed"
    run "[$name] gene_tumor_normal" "${omicskb[@]}" query gene_tumor_normal -p gene=il7 --format csv
    expect "[$name] gene_tumor_normal" "$out" "^rna,IL7,[0-9]+,UCEC,false,95,14,6\.99,6\.67,0\.15[0-9]*,0\.63767252896"
    # Spearman (the compiled kernels at this venv's numba): IL7's cis CNV-RNA pair, and TP53's best trans partner.
    run "[$name] gene_cis" "${omicskb[@]}" query gene_cis -p gene=il7 --format csv
    expect "[$name] gene_cis" "$out" "^UCEC,IL7,cnv,rna,95,-0\.2071544523053[0-9]*,0\.0439813633433"
    run "[$name] gene_trans" "${omicskb[@]}" query gene_trans -p gene=tp53 -p top=1 --format csv
    expect "[$name] gene_trans" "$out" "^UCEC,protein,MKLN1,4289,83,0\.383270800036[0-9]*,0\.000348348992964"
    # the stored all-pairs result (derive --analysis trans) is the same row, and plain SQL prints it
    run "[$name] trans_top_partners" "${omicskb[@]}" query trans_top_partners -p gene=tp53 -p top=1 --format csv
    expect "[$name] trans_top_partners" "$out" "^UCEC,protein,MKLN1,4289,83,0\.383270800036[0-9]*,0\.000348348992964"
    run "[$name] trans_top_partners --sql" "${omicskb[@]}" query trans_top_partners -p gene=tp53 --sql
    run "[$name] gene_values" "${omicskb[@]}" query gene_values -p gene_id=3574 -p cohort=UCEC --format tsv
    [ "$(wc -l <"$out")" -gt 300 ] || { cat "$out" >&2; fail "[$name] gene_values returned too few rows"; }
    local rows_tsv=$out
    # The --sql script runs in plain DuckDB (the duckdb module alone, read-only) and gives the same rows.
    run "[$name] gene_values --sql" "${omicskb[@]}" query gene_values -p gene_id=3574 -p cohort=UCEC --sql
    run "[$name] the script in plain DuckDB" "$venv/bin/python" -I -c '
import sys, csv, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
for statement in open(sys.argv[2]).read().split(";\n")[:-1]:
    result = con.execute(statement)
rows = result.fetchall()
with open(sys.argv[3]) as f:
    expected = list(csv.reader(f, delimiter="\t"))[1:]
assert len(rows) == len(expected) and rows, (len(rows), len(expected))
assert [str(r[6]) for r in rows] == [e[6] for e in expected]
print(len(rows), "rows")' "$run_dir/check.duckdb" "$out" "$rows_tsv"
    run "[$name] parquet output" "${omicskb[@]}" query dataset_values -p cohort=ucec -p omics=protein -o "$run_dir/protein.parquet"
    run "[$name] export" "${omicskb[@]}" export "$run_dir/export" --cohort ucec
    run "[$name] export read back" "$venv/bin/python" -I -c '
import sys, pyarrow.dataset as ds
values = ds.dataset(sys.argv[1] + "/values", format="parquet", partitioning="hive").to_table()
assert values.num_rows > 100000 and {"cohort", "omics", "dataset", "value"} <= set(values.column_names), values.schema
print(values.num_rows, "values")' "$run_dir/export"
    # The Python API, as a notebook uses it
    run "[$name] python API" "$venv/bin/python" -I -c '
import sys, omicskb, pyarrow.parquet as pq
with omicskb.connect(sys.argv[1]) as db:
    assert db.gene("IL7")["gene_id"] == "3574"
    values = db.values("IL7", cohort="ucec")
    assert values.num_rows > 300 and values.column_names[0] == "cohort_code"
    block = db.block("UCEC", "protein")
    assert block.values.shape == (len(block.feature_ids), len(block.sample_ids))
    exported = pq.read_table(sys.argv[2])
    assert exported.num_rows == int((~__import__("numpy").isnan(block.values)).sum())
    print(omicskb.__version__, block.values.shape, values.num_rows)' "$run_dir/check.duckdb" "$run_dir/protein.parquet"
    cd - >/dev/null
    say "[$name] ok"
}

if ! $only_floor; then
    check_install newest
fi
check_install floors "${floors[@]}"
say "all checks passed"
