"""Open Beauty Facts exports, read as published: tab-separated, never quoted (a '"' is text).

The header is the real one of the Open Food Facts / Open Beauty Facts CSV export (same export
code), up to its last non-nutrient column; the ~130 `*_100g` nutrient columns that follow are
left out, as they are empty for cosmetics.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from milia_scan.bulk import COLUMN_USED, COLUMNS, BulkInputError, score_file, score_frame

from .bulk_differential import engines_agree  # noqa: F401  (autouse: both engines agree)
from .test_bulk import expected_cells

OBF_HEADER = """
code url creator created_t created_datetime last_modified_t last_modified_datetime product_name
abbreviated_product_name generic_name quantity packaging packaging_tags packaging_text brands brands_tags
categories categories_tags categories_en origins origins_tags origins_en manufacturing_places
manufacturing_places_tags labels labels_tags labels_en emb_codes emb_codes_tags first_packaging_code_geo
cities cities_tags purchase_places stores countries countries_tags countries_en ingredients_text allergens
allergens_en traces traces_tags traces_en serving_size serving_quantity no_nutriments additives_n additives
additives_tags additives_en ingredients_from_palm_oil_n ingredients_from_palm_oil
ingredients_from_palm_oil_tags ingredients_that_may_be_from_palm_oil_n ingredients_that_may_be_from_palm_oil
ingredients_that_may_be_from_palm_oil_tags nutriscore_score nutriscore_grade nova_group pnns_groups_1
pnns_groups_2 states states_tags states_en brand_owner main_category main_category_en image_url
image_small_url image_ingredients_url image_ingredients_small_url image_nutrition_url
image_nutrition_small_url
""".split()

# (code, product_name, brands, ingredients_text): stray and unbalanced quotes in every column
PRODUCTS = [
    ("0012345678905", 'Eye cream 2" tall', "Acme", "Aqua, Paraffinum Liquidum, Cera Microcristallina"),
    ("0000000000017", '"Hydrating gel', '"', 'Aqua, "Cetearyl Alcohol", Dimethicone'),  # never closed
    ("3600523614455", "Duo kit", "Lumi", "Cleanser ingredients: water, glycerin. "
                                         "Moisturizer ingredients: water, mineral oil"),
    ("0000000000024", "Empty label", "", ""),
    ("00412", 'Balm "original', 'L"Oréal', '"Petrolatum, Lanolin Alcohol'),  # label starts with a quote
    ("0000000000031", '""', 'say "hi"', 'Eau, Beurre de Karité, Huile d"Argan'),
    ("07", "Serum", "X", '"Aqua, Glycerin"'),  # balanced quotes: kept, not stripped
    ("0000000000048", "Quote at end\"", '"""', "Isopropyl Myristate, Cocos Nucifera Oil\""),
]


def obf_line(code: str, name: str, brand: str, ingredients: str, header: list[str] = OBF_HEADER) -> str:
    cells = dict.fromkeys(header, "")
    cells.update(code=code, url=f"https://world.openbeautyfacts.org/product/{code}", creator="kiliweb",
                 created_t="1529059080", created_datetime="2018-06-15T10:38:00Z", product_name=name,
                 brands=brand, countries_en="France", states="en:to-be-completed")
    if "ingredients_text" in cells:
        cells["ingredients_text"] = ingredients
    return "\t".join(cells[h] for h in header)


def write_obf(path: Path, n: int = len(PRODUCTS)) -> list[str]:
    """An OBF export of n products (the PRODUCTS over and over); its data lines."""
    lines = [obf_line(*PRODUCTS[i % len(PRODUCTS)]) for i in range(n)]
    path.write_text("\t".join(OBF_HEADER) + "\n" + "".join(line + "\n" for line in lines), encoding="utf-8")
    return lines


def assert_every_cell_kept(out: Path, lines: list[str]) -> None:
    """The output: the header plus COLUMNS, then each input line byte for byte, in order, with
    its scores appended."""
    got = out.read_text(encoding="utf-8").split("\n")
    assert got[0] == "\t".join(OBF_HEADER + list(COLUMNS))
    assert got[-1] == "" and len(got) == len(lines) + 2
    label_at = OBF_HEADER.index("ingredients_text")
    for line, written in zip(lines, got[1:]):
        assert written == line + "\t" + "\t".join(expected_cells(line.split("\t")[label_at]))


def test_an_obf_export_is_read_as_published(tmp_path: Path) -> None:
    lines = write_obf(tmp_path / "en.openbeautyfacts.org.products.csv", 40)
    s = score_file(tmp_path / "en.openbeautyfacts.org.products.csv", tmp_path / "out.csv",
                   errors=tmp_path / "errors.csv")
    assert (s.rows, s.errors, s.empty) == (40, 0, 5)
    assert s.rows == s.written + s.errors
    assert not (tmp_path / "errors.csv").exists()
    assert_every_cell_kept(tmp_path / "out.csv", lines)


def test_with_quotes_read_as_csv_quoting_rows_are_lost_or_mangled(tmp_path: Path) -> None:
    """What auto-detection avoids: minimal quoting swallows lines into a quoted field."""
    lines = write_obf(tmp_path / "in.csv")
    s = score_file(tmp_path / "in.csv", tmp_path / "out.csv", quoting="minimal", errors=tmp_path / "e.csv")
    assert s.errors > 0 and s.rows < len(lines)


def test_workers_give_the_same_bytes(tmp_path: Path) -> None:
    write_obf(tmp_path / "in.csv", 100)
    score_file(tmp_path / "in.csv", tmp_path / "one.csv", jobs=1)
    score_file(tmp_path / "in.csv", tmp_path / "two.csv", jobs=2, chunk_size=7)
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()


def test_only_per_language_label_columns_are_a_fallback_list(tmp_path: Path) -> None:
    header = ["code", "product_name", "ingredients_text_fr", "ingredients_text_en"]
    src = tmp_path / "in.csv"
    src.write_text("\t".join(header) + "\n" + "001\tA\tEau, Petrolatum\tWater, Glycerin\n"
                   + '002\t"B\t\tMineral Oil\n' + "003\tC\t\t\n", encoding="utf-8")
    s = score_file(src, tmp_path / "out.csv")
    with open(tmp_path / "out.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert rows[0] == header + list(COLUMNS) + [COLUMN_USED]
    assert [r[1] for r in rows[1:]] == ["A", '"B', "C"]
    assert [r[-1] for r in rows[1:]] == ["ingredients_text_fr", "ingredients_text_en", ""]
    assert rows[2][4 : 4 + len(COLUMNS)] == expected_cells("Mineral Oil")
    assert (s.rows, s.scored, s.empty, s.errors) == (3, 2, 1, 0)


def test_an_ingredients_column_stays_the_default(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text('code\tingredients_text\tingredients\n01\tWater\t"Petrolatum\n', encoding="utf-8")
    score_file(src, tmp_path / "out.csv")
    assert (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()[1] == (
        '01\tWater\t"Petrolatum\t' + "\t".join(expected_cells('"Petrolatum')))


def test_other_tab_separated_files_keep_csv_quoting(tmp_path: Path) -> None:
    src = tmp_path / "in.tsv"
    src.write_text('sku\tingredients\n01\t"Aqua\tPetrolatum"\n', encoding="utf-8")  # no 'code' first
    score_file(src, tmp_path / "out.tsv")
    assert (tmp_path / "out.tsv").read_text(encoding="utf-8").splitlines()[1].startswith('01\t"Aqua\tPetrolatum"\t')


def test_unquoted_output_refuses_a_delimiter_the_scores_may_hold(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("sku;ingredients\n1;Aqua, Petrolatum\n", encoding="utf-8")
    with pytest.raises(BulkInputError, match="unquoted output cannot use the delimiter ';'"):
        score_file(src, tmp_path / "out.csv", quoting="none")
    assert not (tmp_path / "out.csv").exists()
    with pytest.raises(ValueError, match="quoting is for CSV"):
        score_file(src, tmp_path / "out.jsonl", format="jsonl", quoting="none")


def test_barcodes_keep_their_leading_zeros_and_their_type(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"code": "0012345678905", "ean": 3600523614455, "ingredients": "Aqua"}) + "\n")
    score_file(src, tmp_path / "out.jsonl")
    out = json.loads((tmp_path / "out.jsonl").read_text())
    assert out["code"] == "0012345678905" and out["ean"] == 3600523614455  # a string, a number
    assert '"code": "0012345678905", "ean": 3600523614455,' in (tmp_path / "out.jsonl").read_text()
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"code": ["0012345678905", "00412"], "ingredients": ["Aqua", ""]})
    assert score_frame(df)["code"].tolist() == ["0012345678905", "00412"]


# ---------------------------------------------------------------------------- command line


def test_cli_detects_an_obf_export_with_no_flags(run, tmp_path: Path) -> None:
    src = tmp_path / "en.openbeautyfacts.org.products.csv"
    lines = write_obf(src, 24)
    r = run("bulk", str(src), "-o", str(tmp_path / "out.csv"), "--jobs", "1")
    assert r.exit_code == 0, r.output
    assert "milia-scan: 24 rows: 21 scored, 3 empty, 0 errors;" in r.output
    assert_every_cell_kept(tmp_path / "out.csv", lines)


def test_cli_bulk_help_explains_the_detection(run) -> None:
    r = run("bulk", "--help")
    assert "Open Beauty Facts exports are recognised by their header" in r.output
    assert "--quoting [none|minimal]" in r.output
