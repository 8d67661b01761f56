"""helpers: the library behind the notebooks that turn Vietnamese reports into English.

The pipeline, one folder per step, each with its `stage` module (what the CLI and notebook run):

    corpus/     inputs read and checked, every line given a role, sentences cut, each
                sentence's language identified                                       -> ledger, reports, sentences
    translate/  every sentence in English with its flags, by its language; each
                report's English as text, Word and Markdown                          -> sentences (+English), translations/
    summarise/  three summaries per report, checked and held to a length bound       -> summaries
    entities/   people, organisations, places and cited documents in each report's
                Vietnamese (underthesea's NER with the glossary and rules), merged  -> entities, mentions
    pages/      report pages, the index and the exported stage notebooks             -> OUT/html/

Shared by the steps:

    text/       normal forms, dates, protected spans, names, the glossary, cited documents, languages
    checks/     the flag registry (`checks.flags.FLAGS`: every code and its meaning) and the checks
    inference/  decoding settings, batching, generation, the translation memory, composable runs, engines
    models/     the model registry (`models.registry`), families, loading, conversion, stand-ins, the hub
    store/      the data contract (`store.contract.TABLES`: every file and column) and atomic writes

And at the top: `config` (the run's parameters, one field each: `Config`), `cli` (`python -m
helpers`), `pipeline` (`make reports`: the stages, the pages and the notebooks), `stamps` (whether
a stage's files are current), `progress` (progress bars and the terminal's stage lines).
"""

__version__ = "0.1.0"
