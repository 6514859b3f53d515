"""Understanding a question before it is routed: its language, and where the business is when
the asker gave no municipality (a postcode, else a place or province named in the text).

Pure functions of the question and the region index, so that the service, the dry run, the
evaluation set and the benchmark all prepare the router's input the same way. Look-ups that need
the database or the search engine (load, knowledge-base votes) happen in
``backend.routing.service`` and are passed to the router as data.
"""

from __future__ import annotations

from dataclasses import replace

from backend.regions.index import RegionIndex, normalise_postcode
from backend.regions.places import PROVINCE_NAME, best_location
from backend.regions.service import places_in_text
from backend.routing.router import RoutingInput
from backend.search import language

detect_language = language.detect_language


def understand(question: RoutingInput, regions: RegionIndex) -> RoutingInput:
    """The question with its language (when not given) and its location filled in.

    Without a municipality: a known postcode locates the business; a well-formed unknown
    postcode marks the location unknown (``postcode_unknown``) and the text may still name the
    place; a place named in the text that fits one municipality is used (``place_in_text``);
    else a province named in the text narrows the desks to that province and the country.
    """
    lang = question.language or language.detect_language(question.text)
    q = replace(question, language=lang) if lang != question.language else question
    if q.municipality_code and regions.get(q.municipality_code) is not None:
        return q
    if q.postcode:
        pc4 = normalise_postcode(q.postcode)
        if pc4 is not None and regions.by_postcode(pc4) is not None:
            return q
        q = replace(q, postcode_unknown=pc4 is not None)
    if not q.text:
        return q
    matches = places_in_text(q.text, regions)
    best = best_location(matches)
    if best is not None and best.municipality is not None:
        return replace(q, municipality_code=best.municipality.code, place_in_text=best.text)
    provinces = [m.province_code for m in matches if m.kind == PROVINCE_NAME and m.province_code]
    if best is None and provinces:
        return replace(q, province_code=provinces[0], place_in_text=None)
    return q
