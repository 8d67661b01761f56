"""The stages of a run, as the notebooks and the command line call them.

Each stage reads what the stage before it wrote (`corpus_for`, `translation_for`,
`summaries_for` read the files when they are current, else run the stage), writes its
part of the data contract under `OUT/data/` and returns plain DataFrames for display.
"""

from .corpus import CorpusResult, build_corpus, corpus_for, run_corpus
from .summaries import run_summarise, summaries_for
from .translation import TranslationResult, load_translator, model_label, run_translate, translation_for

__all__ = ["CorpusResult", "TranslationResult", "build_corpus", "corpus_for", "load_translator", "model_label",
           "run_corpus", "run_summarise", "run_translate", "summaries_for", "translation_for"]
