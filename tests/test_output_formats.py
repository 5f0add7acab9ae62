"""The output formats are listed once (cqlang/output/formats.py): the
writers, the choice of a format, `fetch --format` and its help all read
that list, and a writer exists for each entry."""

from __future__ import annotations

import io
from pathlib import Path

import click
import pytest

from cqlang.cli.fetch import fetch_cmd
from cqlang.errors import OutputSettingError
from cqlang.output import formats, target, writers


def test_every_module_names_the_one_list() -> None:
    assert writers.FORMATS is formats.FORMATS
    assert target.FORMATS is formats.FORMATS
    assert writers.BINARY_FORMATS is formats.BINARY_FORMATS
    assert target.EXTENSIONS is formats.EXTENSIONS


def test_the_list_is_consistent() -> None:
    assert len(set(formats.FORMATS)) == len(formats.FORMATS)
    assert formats.BINARY_FORMATS.issubset(formats.FORMATS)
    assert set(formats.EXTENSIONS.values()) <= set(formats.FORMATS)
    # Every format a file can hold has an extension; the table is for reading.
    assert set(formats.FORMATS) - set(formats.EXTENSIONS.values()) == {"table"}
    for ext in formats.EXTENSIONS:
        assert ext == ext.lower() and ext.startswith(".")


def test_fetch_format_offers_exactly_the_formats() -> None:
    option = next(p for p in fetch_cmd.params if p.name == "fmt")
    assert isinstance(option.type, click.Choice)
    assert tuple(option.type.choices) == formats.FORMATS
    help_text = option.help or ""
    for ext in formats.EXTENSIONS:
        assert ext in help_text
    binary = [fmt for fmt in formats.FORMATS if fmt in formats.BINARY_FORMATS]
    assert f"{' and '.join(binary)} need pip install 'cqlang[arrow]'" in help_text


@pytest.mark.parametrize("ext", sorted(formats.EXTENSIONS))
def test_each_extension_chooses_its_format(ext: str, tmp_path: Path) -> None:
    path = f"{tmp_path}/records{ext.upper()}"
    assert target.choose_format(None, path, False) == formats.EXTENSIONS[ext]


def test_an_unknown_extension_lists_every_extension_and_format(tmp_path: Path) -> None:
    with pytest.raises(OutputSettingError) as caught:
        target.choose_format(None, f"{tmp_path}/records.txt", False)
    assert formats.extensions_text() in str(caught.value)
    assert "|".join(formats.FORMATS) in str(caught.value)


@pytest.mark.parametrize("fmt", formats.FORMATS)
def test_every_format_has_a_writer(fmt: str, tmp_path: Path) -> None:
    if fmt in formats.BINARY_FORMATS:
        pytest.importorskip("pyarrow")
        out: io.IOBase = io.BytesIO()
    else:
        out = io.StringIO()
    writer = writers.make_writer(fmt, out, spool_dir=str(tmp_path))
    count = writers.write_all([{"id": "a", "state": "OPEN"}], writer)
    assert count == 1


@pytest.mark.parametrize("fmt", sorted(formats.BINARY_FORMATS))
def test_a_binary_format_is_named_by_its_own_extension(fmt: str) -> None:
    assert formats.EXTENSIONS[formats.extension_of(fmt)] == fmt
    with pytest.raises(OutputSettingError, match=rf"-o FILE\{formats.extension_of(fmt)}\)"):
        target.check_binary(fmt, None, True)
