"""Material labels: the 182-node taxonomy (``taxonomy.csv``) and the mapper from seller strings onto it.

See README.md in this folder for what counts as a material and how to extend the synonyms.
"""

from emma_pipeline.materials.mapper import MappingResult, MaterialMapper, default_mapper, unmapped_report
from emma_pipeline.materials.taxonomy import MaterialNode, MaterialTaxonomy, TaxonomyError, load_taxonomy

__all__ = [
    "MappingResult",
    "MaterialMapper",
    "MaterialNode",
    "MaterialTaxonomy",
    "TaxonomyError",
    "default_mapper",
    "load_taxonomy",
    "unmapped_report",
]
