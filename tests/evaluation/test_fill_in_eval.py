import polars as pl

from emma_pipeline.evaluation.fill_in_eval import evaluate_fill_in
from emma_pipeline.materials import load_taxonomy


def test_synthetic_values_are_scored_against_the_truth_and_passing_precision_reported():
    taxonomy = load_taxonomy()
    steel, metal, wood = taxonomy.id_of("steel"), taxonomy.id_of("metal"), taxonomy.id_of("wood")
    dataset = pl.DataFrame({
        "asin": ["a", "b", "c"],
        "price": [10.0, 20.0, 40.0], "price_source": ["original", "gen2", "gen2"], "price_passes_threshold": [True, True, False],
        "mass": [1.0, 2.0, 3.0], "mass_source": ["original", "original", "gen2"], "mass_passes_threshold": [True, True, True],
        "category_path": [[0, 1], [0, 1], [2]], "category_source": ["original", "gen2", "gen2"],
        "category_passes_threshold": [True, True, True],
        "materials": [[steel], [metal], [wood]], "materials_source": ["original", "gen2", "gen2"],
        "materials_passes_threshold": [True, True, False],
    })  # fmt: skip
    truth = pl.DataFrame({"asin": ["a", "b", "c"], "price_usd": [10.0, 20.0, 10.0], "mass_kg": [1.0, 2.0, 6.0],
                          "category_path": [["Tools", "Anvils"], ["Tools", "Anvils"], ["Tools", "Anvils"]],
                          "materials": [["steel"], ["steel"], ["steel"]]})  # fmt: skip
    tree = pl.DataFrame({"id": [0, 1, 2], "name": ["Tools", "Anvils", "Kitchen"]})
    table = {r["attribute"]: r for r in evaluate_fill_in(dataset, truth, tree, taxonomy).iter_rows(named=True)}
    assert table["price"]["objects"] == 2 and table["price"]["filled"] == (1.0 + 0.25) / 2
    assert table["price"]["passing"] == 1 and table["price"]["precision_passing"] == 1.0
    assert table["price"]["imputation"] == (0.5 + 1.0) / 2  # median of the original prices (10) on the same objects
    assert table["mass"]["filled"] == 0.5
    assert table["category"]["filled"] == 0.5 and table["category"]["precision_passing"] == 0.5
    assert table["materials"]["filled"] == 0.5  # metal is implied by steel, wood is not
