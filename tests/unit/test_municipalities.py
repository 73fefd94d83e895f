"""The CBS municipality list shipped as data: its shape, its use, and how it is refreshed."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from chalicelib.domain import municipalities
from chalicelib.domain.errors import InvalidInput
from chalicelib.services import admin
from scripts import municipalities as refresh
from tests.fakes import InMemoryRegistry

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


def test_the_list_holds_the_342_municipalities_of_2026_by_unique_four_digit_codes() -> None:
    current = municipalities.current()

    assert len(current) == 342
    assert all(len(code) == 4 and code.isascii() and code.isdigit() for code in current)
    assert len(set(current.values())) == 342


def test_the_data_file_says_its_source_date_and_how_to_refresh_it() -> None:
    header = municipalities.DATA.read_text(encoding="utf-8").split("\ncode,name\n")[0]

    assert "CBS" in header
    assert "1 January 2026" in header
    assert "python -m scripts.municipalities" in header


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("0344", "Utrecht"),
        ("0363", "Amsterdam"),
        ("0355", "Zeist"),
        ("0599", "Rotterdam"),
        ("0518", "'s-Gravenhage"),
        ("1992", "Voorne aan Zee"),
        ("0820", "Nuenen, Gerwen en Nederwetten"),
    ],
)
def test_codes_the_project_uses_name_their_municipality(code: str, name: str) -> None:
    assert municipalities.current()[code] == name


@pytest.mark.parametrize("code", ["0457", "0501", "0530", "0614", "0370", "0000"])
def test_abolished_and_invented_codes_are_absent(code: str) -> None:
    # Weesp (0457), Brielle, Hellevoetsluis, Westvoorne, Beemster; 0000 was never one.
    assert not municipalities.is_current(code)


@pytest.mark.parametrize("code", ["0000", "9999", "0457", "\uff10\uff13\uff14\uff14"])
def test_the_admin_service_registers_only_current_municipalities(code: str) -> None:
    registry = InMemoryRegistry()

    with pytest.raises(InvalidInput) as raised:
        admin.create_municipality(registry, code, "Nergens", "utrecht", None, NOW)

    assert [error.field for error in raised.value.errors] == ["code"]
    assert registry.get_municipality(code) is None


CBS_TABLE = (
    "GemeentecodeGM;Gemeentecode;Gemeentenaam;Provinciecode\n"
    "GM1680  ;1680;Aa en Hunze      ;PV22\n"
    "GM0344  ;344;Utrecht   ;PV26\n"
    'GM0820  ;820;"Nuenen, Gerwen en Nederwetten";PV30\n'
)


def test_a_refresh_reads_cbs_table_and_writes_a_file_the_app_reads_back() -> None:
    found = refresh.read_cbs_table(CBS_TABLE)
    written = refresh.data_file(found, date(2027, 1, 1))

    assert municipalities.parse(written.splitlines()) == {
        "1680": "Aa en Hunze",
        "0344": "Utrecht",
        "0820": "Nuenen, Gerwen en Nederwetten",
    }
    assert "in force on 1 January 2027: 3 municipalities" in written
    assert "Gemeentelijke indeling op 1 januari 2027" in written


def test_a_refresh_names_what_changed(tmp_path) -> None:
    table = tmp_path / "cbs.csv"
    table.write_text("Gemeentecode,Gemeentenaam\n344,Utrecht\n1999,Nieuwe Gemeente\n", encoding="utf-8")
    output = tmp_path / "municipalities.csv"
    output.write_text("# old\ncode,name\n0344,Utrecht\n0457,Weesp\n", encoding="utf-8")

    assert refresh.main([str(table), "--as-of", "2027-01-01", "--output", str(output)]) == 0

    assert municipalities.parse(output.read_text(encoding="utf-8").splitlines()) == {
        "0344": "Utrecht",
        "1999": "Nieuwe Gemeente",
    }
    assert list(refresh.changes({"0344": "Utrecht", "0457": "Weesp"}, {"0344": "Utrecht", "1999": "N"})) == [
        "- 0457 Weesp",
        "+ 1999 N",
    ]


@pytest.mark.parametrize(
    "table",
    ["Gemeentecode,Gemeentenaam\nabc,Utrecht\n", "Gemeentecode,Gemeentenaam\n344,\n", "Code,Naam\n344,Utrecht\n"],
)
def test_a_refresh_refuses_a_table_it_does_not_understand(table: str) -> None:
    with pytest.raises(ValueError):
        refresh.read_cbs_table(table)
