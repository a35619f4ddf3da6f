"""Tests for etl.sources.go_obo on excerpts of the real go.obo (releases/2019-01-27)."""

from __future__ import annotations

import gzip
import inspect
import os
import time
from pathlib import Path

import pytest

from omicskb.etl.errors import InputError
from omicskb.etl.sources import gaf, go_obo
from omicskb.etl.sources.go_obo import GoTermRecord, OboHeader, TypedefRecord

DATA = Path(__file__).resolve().parents[1] / "data" / "go"
FIXTURE = DATA / "go_il7_terms_with_ancestors.obo"
OBSOLETE = DATA / "go_obsolete_terms.obo"
GAF_FIXTURE = DATA / "goa_human_il7_and_neighbours.gaf"


def _text() -> str:
    return FIXTURE.read_text(encoding="utf-8")


def _line_of(text: str, needle: str) -> int:
    """1-based line number of the line equal to `needle`."""
    return text.splitlines().index(needle) + 1


def _stanza(go_id: str) -> str:
    """The verbatim [Term] stanza of go_id from the fixture (without the trailing blank line)."""
    block = next(b for b in _text().split("\n\n") if f"\nid: {go_id}\n" in b + "\n")
    return block.strip("\n")


def _header_block() -> str:
    return _text().split("\n\n", 1)[0]


def _write(tmp_path: Path, *blocks: str) -> Path:
    path = tmp_path / "test.obo"
    path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    return path


def _terms(path: Path = FIXTURE) -> dict[str, GoTermRecord]:
    return {r.go_id: r for r in go_obo.read(path) if isinstance(r, GoTermRecord)}


def _error(path: Path) -> InputError:
    with pytest.raises(InputError) as info:
        list(go_obo.read(path))
    return info.value


def test_module_constants() -> None:
    assert go_obo.SOURCE_KIND == "go_obo"
    assert go_obo.COLUMNS == ()


def test_read_streams() -> None:
    assert inspect.isgenerator(go_obo.read(FIXTURE))


def test_read_header() -> None:
    assert go_obo.read_header(FIXTURE) == OboHeader(
        format_version="1.2", data_version="releases/2019-01-27", date=None, ontology="go"
    )


def test_read_header_date(tmp_path: Path) -> None:
    header = _header_block().replace("data-version: releases/2019-01-27", "date: 27:01:2019 13:40")
    result = go_obo.read_header(_write(tmp_path, header, _stanza("GO:0005515")))
    assert result.date is not None and result.date.isoformat() == "2019-01-27"
    assert result.data_version is None


def test_counts_match_stanzas() -> None:
    records = list(go_obo.read(FIXTURE))
    terms = [r for r in records if isinstance(r, GoTermRecord)]
    typedefs = [r for r in records if isinstance(r, TypedefRecord)]
    assert len(terms) == _text().count("\n[Term]\n") == 236
    assert [t.id for t in typedefs] == ["has_part", "negatively_regulates", "part_of", "positively_regulates", "regulates"]


def test_negative_regulation_of_apoptosis() -> None:
    term = _terms()["GO:0043066"]
    assert term.line == _line_of(_text(), "id: GO:0043066") - 1
    assert term.name == "negative regulation of apoptotic process"
    assert term.namespace == "biological_process"
    assert term.alt_ids == ("GO:0006916",)
    assert term.is_a == ("GO:0042981", "GO:0043069")
    assert term.relationships == (("negatively_regulates", "GO:0006915"),)
    assert term.definition == (
        "Any process that stops, prevents, or reduces the frequency, rate or extent of cell death by apoptotic process."
    )
    assert term.comment is not None and term.comment.startswith("This term should only be used when")
    assert term.synonyms[:2] == ("anti-apoptosis", "apoptosis inhibitor activity")
    assert len(term.synonyms) == 8
    assert term.is_obsolete is False
    assert term.replaced_by == () and term.consider == () and term.subsets == ()


def test_protein_binding_subsets_and_alt_ids() -> None:
    term = _terms()["GO:0005515"]
    assert term.namespace == "molecular_function"
    assert term.alt_ids == ("GO:0001948", "GO:0045308")
    assert term.subsets[:2] == ("goslim_aspergillus", "goslim_candida")
    assert "goslim_pir" in term.subsets
    assert term.synonyms[0] == "glycoprotein binding"


def test_root_terms_have_no_parents() -> None:
    terms = _terms()
    for root, namespace in (
        ("GO:0008150", "biological_process"),
        ("GO:0003674", "molecular_function"),
        ("GO:0005575", "cellular_component"),
    ):
        assert terms[root].name == namespace == terms[root].namespace
        assert terms[root].is_a == () and terms[root].relationships == ()


def test_excerpt_is_closed_under_is_a_and_relationships() -> None:
    terms = _terms()
    typedefs = {r.id for r in go_obo.read(FIXTURE) if isinstance(r, TypedefRecord)}
    for term in terms.values():
        assert set(term.is_a) <= terms.keys(), term.go_id
        assert {target for _, target in term.relationships} <= terms.keys(), term.go_id
        assert {relation for relation, _ in term.relationships} <= typedefs, term.go_id


def test_every_il7_gaf_term_resolves_in_excerpt() -> None:
    terms = _terms()
    alt = {a: t.go_id for t in terms.values() for a in t.alt_ids}
    il7 = {r.go_id for r in gaf.read(GAF_FIXTURE) if r.db_object_symbol == "IL7"}
    assert len(il7) == 27
    for go_id in il7 | {"GO:0006916", "GO:0005126", "GO:0006955", "GO:0030308"}:
        assert go_id in terms or go_id in alt, go_id
    assert alt["GO:0006916"] == "GO:0043066"


def test_typedefs() -> None:
    typedefs = {r.id: r for r in go_obo.read(FIXTURE) if isinstance(r, TypedefRecord)}
    assert typedefs["part_of"] == TypedefRecord(
        line=_line_of(_text(), "id: part_of") - 1, id="part_of", name="part of", is_transitive=True
    )
    assert typedefs["regulates"].is_transitive is True
    assert typedefs["negatively_regulates"].is_transitive is False
    assert typedefs["negatively_regulates"].name == "negatively regulates"


def test_obsolete_terms() -> None:
    terms = _terms(OBSOLETE)
    assert all(t.is_obsolete for t in terms.values())
    assert terms["GO:0000005"].consider == ("GO:0042254", "GO:0044183", "GO:0051082")
    assert terms["GO:0000005"].replaced_by == ()
    assert terms["GO:0000005"].is_a == ()
    assert terms["GO:0000108"].replaced_by == ("GO:0000109",)
    assert terms["GO:0000174"].replaced_by == ("GO:0000750",)
    assert terms["GO:0000005"].definition is not None and terms["GO:0000005"].definition.startswith("OBSOLETE.")


def test_escapes_in_def_and_comment(tmp_path: Path) -> None:
    stanza = _stanza("GO:0005515")
    stanza = stanza.replace('def: "Interacting selectively', 'def: "Interacting \\"selectively\\"', 1)
    stanza = stanza.replace("synonym:", 'comment: first\\nsecond\nsynonym:', 1)
    term = _terms(_write(tmp_path, _header_block(), stanza))["GO:0005515"]
    assert term.definition is not None and term.definition.startswith('Interacting "selectively" and')
    assert term.definition.endswith("nonprotein molecules).")
    assert term.comment == "first\nsecond"


def test_unknown_tags_and_instance_stanzas_ignored(tmp_path: Path) -> None:
    stanza = _stanza("GO:0005515") + "\nfuture_tag: whatever value\nproperty_value: x y"
    instance = "[Instance]\nid: some_instance\nname: an instance\ninstance_of: GO:0005515"
    path = _write(tmp_path, _header_block(), instance, stanza)
    assert [r.go_id for r in go_obo.read(path) if isinstance(r, GoTermRecord)] == ["GO:0005515"]


def test_gzip_read_transparently(tmp_path: Path) -> None:
    path = tmp_path / "go.obo.gz"
    path.write_bytes(gzip.compress(FIXTURE.read_bytes()))
    assert list(go_obo.read(path)) == list(go_obo.read(FIXTURE))


def test_wrong_first_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "format-version: 2.0\n" + _header_block().split("\n", 1)[1], _stanza("GO:0005515"))
    assert _error(path).line == 1
    with pytest.raises(InputError) as info:
        go_obo.read_header(path)
    assert info.value.line == 1 and "format-version" in info.value.reason


def test_header_missing(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, _stanza("GO:0005515")))
    assert err.line == 1


def test_leading_blank_lines_allowed(tmp_path: Path) -> None:
    path = _write(tmp_path, "\n" + _header_block(), _stanza("GO:0005515"))
    assert go_obo.read_header(path).format_version == "1.2"
    assert list(_terms(path)) == ["GO:0005515"]


def _stanza_lines(path: Path) -> list[int]:
    """Line numbers of the stanza headers ('[Term]', ...) in a file."""
    return [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if line.startswith("[")]


def test_missing_name(tmp_path: Path) -> None:
    first, second = _stanza("GO:0005515"), _stanza("GO:0005576")
    bad = "\n".join(line for line in _stanza("GO:0005615").splitlines() if not line.startswith("name:"))
    path = _write(tmp_path, _header_block(), first, second, bad)
    err = _error(path)
    assert err.line == _stanza_lines(path)[2]
    assert "no name" in err.reason


def test_missing_id(tmp_path: Path) -> None:
    bad = "\n".join(line for line in _stanza("GO:0005615").splitlines() if not line.startswith("id:"))
    path = _write(tmp_path, _header_block(), bad)
    err = _error(path)
    assert err.line == _stanza_lines(path)[0]
    assert "no id" in err.reason


def test_duplicate_id(tmp_path: Path) -> None:
    first, second = _stanza("GO:0005515"), _stanza("GO:0005576")
    path = _write(tmp_path, _header_block(), first, second, first)
    err = _error(path)
    assert err.line == _stanza_lines(path)[2]
    assert "duplicate id 'GO:0005515'" in err.reason


def test_bad_term_id(tmp_path: Path) -> None:
    bad = _stanza("GO:0005515").replace("id: GO:0005515", "id: GO:12", 1)
    path = _write(tmp_path, _header_block(), bad)
    err = _error(path)
    assert err.line == _stanza_lines(path)[0]
    assert err.reason == "term id 'GO:12' is not GO: followed by 7 digits"


def test_bad_is_a_target(tmp_path: Path) -> None:
    stanza = _stanza("GO:0043066").replace("is_a: GO:0042981", "is_a: GO:42981", 1)
    path = _write(tmp_path, _header_block(), stanza)
    err = _error(path)
    assert err.line == _line_of(path.read_text(encoding="utf-8"), "is_a: GO:42981 ! regulation of apoptotic process")
    assert "GO:42981" in err.reason


def test_bad_namespace(tmp_path: Path) -> None:
    stanza = _stanza("GO:0005515").replace("namespace: molecular_function", "namespace: gene_ontology", 1)
    path = _write(tmp_path, _header_block(), stanza)
    err = _error(path)
    assert err.line == _line_of(path.read_text(encoding="utf-8"), "namespace: gene_ontology")
    assert "'gene_ontology'" in err.reason


def test_bad_is_obsolete_value(tmp_path: Path) -> None:
    stanza = _stanza("GO:0005515") + "\nis_obsolete: yes"
    assert "is_obsolete" in _error(_write(tmp_path, _header_block(), stanza)).reason


def test_unterminated_def(tmp_path: Path) -> None:
    stanza = "\n".join(
        line.split('" [')[0] if line.startswith("def:") else line for line in _stanza("GO:0005515").splitlines()
    )
    assert "closing quote" in _error(_write(tmp_path, _header_block(), stanza)).reason


def test_truncated_gzip(tmp_path: Path) -> None:
    data = gzip.compress(FIXTURE.read_bytes())
    path = tmp_path / "cut.obo.gz"
    path.write_bytes(data[: len(data) // 2])
    err = _error(path)
    assert "gzip" in err.reason
    assert err.line is not None and err.line > 1


def test_non_utf8_byte(tmp_path: Path) -> None:
    raw = FIXTURE.read_bytes()
    target = _line_of(_text(), "name: protein binding")
    lines = raw.split(b"\n")
    lines[target - 1] = b"name: protein \xe9binding"
    path = tmp_path / "bad.obo"
    path.write_bytes(b"\n".join(lines))
    err = _error(path)
    assert err.line == target and "0xe9" in err.reason


@pytest.mark.realdata
def test_realdata_full_go_obo() -> None:
    root = os.environ.get("OMICSKB_REALDATA")
    if not root:
        pytest.skip("OMICSKB_REALDATA not set")
    path = Path(root).expanduser() / "go" / "go-2019-01-27.obo.gz"
    assert go_obo.read_header(path).data_version == "releases/2019-01-27"
    start = time.perf_counter()
    terms = 0
    obsolete = 0
    typedefs = 0
    apoptosis: GoTermRecord | None = None
    for record in go_obo.read(path):
        if isinstance(record, TypedefRecord):
            typedefs += 1
            continue
        terms += 1
        obsolete += record.is_obsolete
        if record.go_id == "GO:0043066":
            apoptosis = record
    elapsed = time.perf_counter() - start
    print(f"go.obo: {terms} terms, {typedefs} typedefs in {elapsed:.2f} s")
    assert terms == 47347
    assert typedefs == 10
    assert obsolete == 2334
    assert apoptosis is not None and apoptosis.alt_ids == ("GO:0006916",)
