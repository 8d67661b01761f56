"""helpers: the library behind the notebooks that turn Vietnamese reports into English.

The pipeline, one folder per step, each with its `stage` module (what the CLI and notebook run):

    corpus/     inputs read and checked, every line given a role, sentences cut, each
                sentence's language identified                                   -> ledger, reports, sentences
    translate/  every sentence in English with its flags, by its language; each
                report's English as text, Word and Markdown                      -> sentences (+English), translations/
    summarise/  three summaries per report, checked and held to a length bound   -> summaries
    entities/   people, organisations, places and cited documents in each report's
                Vietnamese (underthesea's NER with the glossary and rules),
                merged                                                           -> entities, mentions
    pages/      report pages, index, digest, search                              -> OUT/html/

Shared by the steps, bottom layer first (each imports only from those before it; docs/architecture.md):

    errors      the one user-error type (`UserError`: input, settings, environment) and the exit statuses
    store/      the data contract (`store.contract.TABLES`, `RUN_JSON`: every file, column and run.json
                section), atomic writes, the output folder
    text/       normal forms, dates, protected spans, names, the glossary, cited documents, languages,
                sentence splitting, text as the terminal shows it (`text.terminal.shown`)
    progress    progress bars and the terminal's stage lines
    checks/     the flag registry (`checks.flags.FLAGS`: every code and its meaning) and the checks
    models/     the model registry (`models.registry`), decoding settings, families, loading, conversion,
                stand-ins, the hub
    inference/  batching, generation, the translation memory, composable runs, engines, sentence translation
    config      the run's parameters, one field each: `Config`
    review/     reviews kept in the project, read once per run, exchanged with translators' tools; the panel
    stage       the one stage interface (`Stage`) and what a run holds (`RunContext`)

And above the steps: `stamps` (whether a stage's files are current), `reuse` (what a re-run keeps:
the previous output, a stage run on the changed reports only, tables read when used), `notebooks` (the
stage notebooks executed with papermill and exported as pages, and whether those in OUT are current),
`pipeline` (`SEQUENCE`, the one
runner `run_stages`, and `make reports`: the stages, the pages and the notebooks), `cli` (`python -m
helpers`, where a `UserError` becomes one line).
"""

__version__ = "0.1.0"
