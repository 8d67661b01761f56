"""helpers: the library behind the notebooks that turn Vietnamese reports into English.

Modules, one job each: inputs (reading files), corpus (line roles, metadata),
segment (sentences), spans (protected text), dates, config (the one typed
configuration), outputs (atomic writes), pipeline (the stages), runner
(papermill and HTML export), cli.
"""

__version__ = "0.1.0"
