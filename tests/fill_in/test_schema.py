from emma_pipeline.fill_in.schema import ATTRIBUTES, dataset_schema


def test_every_attribute_has_value_and_provenance_columns():
    schema = dataset_schema()
    assert list(schema)[:2] == ["asin", "split"]
    for attr in ATTRIBUTES:
        for suffix in ("", "_source", "_confidence", "_model_version", "_passes_threshold"):
            assert f"{attr}{suffix}" in schema
    assert {"materials_probs", "category_path", "category_probs"} <= set(schema)
