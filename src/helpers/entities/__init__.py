"""entities/: who, where, which organisation, which document: the entity index of every report.

    words.py        titles, administrative words and the heads of organisation names (Vietnamese)
    model.py        underthesea's pretrained CRF NER on a sentence, as character spans
    known.py        what the project knows for certain: glossary bodies, cited documents, names
    mentions.py     the mentions of one sentence: the model's and the known, overlaps settled
    merge.py        surface forms to one key per entity (case, NFC, titles, abbreviations, places)
    corrections.py  reviewers' corrections (`REVIEWS/entities.csv`): re-kind, merge, reject
    build.py        the two contract tables: `report_mentions` (a report's own), `entity_table` (of all mentions)
"""
