"""helpers: the library behind the notebooks that turn Vietnamese reports into English.

Modules, one job each: config (the one typed configuration), inputs (reading
files), corpus (line roles, metadata), segment (sentences), spans (protected
text), dates, textnorm, glossary, references (cited documents), models/ (the
family registry, loading, CTranslate2 conversion, stand-ins, fetching and
packing), generation (transformers or CTranslate2), memory (translation
memory), translate, quality (flags), summarise, report (HTML),
outputs (atomic writes), pipeline (the stages), runner (papermill and export), cli.
"""

__version__ = "0.1.0"
