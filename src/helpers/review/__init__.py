"""Reviews: a person's approved or corrected English, kept in the project and winning over any model.

    store       the reviews folder (`REVIEWS`, default `reviews/`): sentence reviews as TMX 1.4b,
                locked, merged and replaced atomically; its digest for stamps and provenance
    summaries   reviewed summaries, keyed by report, method and a digest of the report's sentences
    glossary    terms added by reviewers (`REVIEWS/glossary.csv`, read after the packaged glossary)
    xmlsafe     the gate every XML file passes before it is parsed (no entity, no network)
    tmx, xliff  the exchange formats translators' tools read and write
    exchange    `python -m helpers review export|import`
    notebook    the review panel of notebook 06 (ipywidgets); its cards (`cards`), what it offers as
                plain data (`queue`), the reviewer's own name and unsaved edits kept outside the
                project (`personal`), and the reviewer's untracked copy `make lab` opens (`workcopy`)

The sentence-level override itself is a layer of the translation step (`translate.reviewed`).
"""
