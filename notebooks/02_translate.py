# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 02 · Translate: every sentence in English, terms and codes kept
#
# This notebook translates every title, body and caption sentence of every report
# with the configured translation model. It answers: what does each report say in
# English, which sentences need a second look (flags), which glossary terms were
# used, which documents are cited, and how much came from the translation memory.
# Nothing is truncated: sentences over 128 tokens are cut at clauses, translated and joined.

# %% tags=["parameters"]
# Run parameters. `make reports` sets every one of them; here, None takes $HELPERS_<NAME>
# from the environment, else the default named here (the Config fields, helpers/config.py).
SEEDS = None  # folder of the reports (.txt, .md, .html, .docx, .pdf); default: seeds
OUT = None  # output folder; default: build
MODELS = None  # real weights, demo stand-ins, or auto (real where available, else demo); default: auto
TRANSLATOR = None  # the translation model (opus-mt, nllb, m2m100, vinai); default: opus-mt
SUMMARISER_EN = None  # summarises the English (distilbart, mt5-xlsum); default: distilbart
SUMMARISER_VI = None  # summarises the Vietnamese (distilbart, mt5-xlsum); default: mt5-xlsum
CACHE_DIR = None  # stand-ins, conversions and the translation memory; default: .cache, or $HELPERS_CACHE
MEMORY = None  # the translation memory; default: CACHE_DIR/translation-memory.sqlite
BACKEND = None  # ctranslate2 (int8, fast) or transformers (fp32 reference); default: ctranslate2
SUMMARY_MAX_SENTENCES = None  # a summary's length bound, in sentences; default: 3
SUMMARY_MAX_WORDS = None  # a summary's length bound, in words; default: 80
GENERATION = None  # decoding overrides of the models (docs/models.md); default: none: each model its own
ENGINE = None  # where the work runs: local (this process) or dask; default: local
CLUSTER = None  # with the dask engine: a scheduler address; default: none: a local cluster
WORKERS = None  # with the dask engine and no CLUSTER: local workers; default: 0: one per core
REVIEWS = None  # the reviewed English, kept in the project (docs/review.md); default: reviews
REVIEWER = None  # who reviews in notebook 06 and `review import` (docs/review.md); default: the name the review panel last had, else the login name

# %%
import pandas as pd
from IPython.display import Markdown, display

from helpers.config import Config
from helpers.checks.flags import flag_code, split_flags
from helpers.pages.report import legend_table
from helpers.pages.stage import pages_note
from helpers.pipeline import run_stages
from helpers.pages.tables import SHOWN_REPORTS, Style, show

cfg = Config.from_parameters(globals())
run = run_stages(cfg, "translate", say=False)  # read back when current, else made now
sentences, model, stats = run.tables["sentences"], run.models["translate"], run.records["translate"]
Style()

# %%
display(Markdown(
    "> **DEMO MODELS.** The English below was produced by tiny random-weight demo models. "
    "It is **not a translation**: it only shows that every sentence went through the pipeline."
    if model["demo"] else f"Model: `{model['source']}` revision `{model['revision']}`."
))

# %% [markdown]
# ## How much was translated, and how much came from memory

# %%
show(pd.DataFrame(
    {"sentences": [stats["sentences"]], "from memory": [stats["from_memory"]], "pieces generated": [stats["generated"]],
     "generate calls": [stats["generate_calls"]], "split sentences": [stats["split_sentences"]]}
))

# %% [markdown]
# ## Flags per report
# Numbers, dates, codes and names are compared as values (`June 22` for `22/6` is no flag);
# what each flag means is in the legend below the table.

# %%
flagged = sentences.assign(flag=sentences["flags"].map(split_flags)).explode("flag").dropna(subset=["flag"])
flagged["flag"] = flagged["flag"].map(flag_code)
show(pd.crosstab(flagged["report_id"], flagged["flag"]).rename_axis(columns=None), keep_index=True) if len(flagged) else Markdown("No flags.")

# %%
show(legend_table(sentences["flags"].tolist()))

# %% [markdown]
# ## Misspellings normalised before translation

# %%
# NBVAL_CHECK_OUTPUT
fixed = sentences[sentences["flags"].str.contains("normalised:")]
show(fixed.assign(fixes=fixed["flags"].map(lambda c: ", ".join(f.split(":", 1)[1] for f in split_flags(c) if f.startswith("normalised:"))))[["report_id", "sentence_no", "fixes"]])

# %% [markdown]
# ## Glossary terms used: in how many sentences and reports

# %%
# NBVAL_CHECK_OUTPUT
terms = sentences.assign(term=sentences["terms"].str.split("|")).explode("term")
terms = terms[terms["term"] != ""]
show(terms.groupby("term").agg(sentences=("sentence_no", "size"), reports=("report_id", "nunique")), keep_index=True)

# %% [markdown]
# ## Documents cited (references index, built without any model)

# %%
# NBVAL_CHECK_OUTPUT
show(run.tables["references"][["report_id", "sentence_no", "code", "date", "english"]])

# %% [markdown]
# ## Source and translation, side by side
# The first reports here; every report's page has its own (linked from the index).

# %%
groups = list(sentences.groupby("report_id", sort=False))
if len(groups) > SHOWN_REPORTS:
    display(Markdown(f"The first {SHOWN_REPORTS} of {len(groups):,} reports."))
for rid, group in groups[:SHOWN_REPORTS]:
    display(Markdown(f"### {rid}"))
    display(show(group[["sentence_no", "role", "text_vi", "text_en", "flags", "from_memory"]].rename(
        columns={"sentence_no": "#", "text_vi": "Vietnamese", "text_en": "English", "from_memory": "from memory"}),
        flags=("flags",)))

# %%
Markdown(pages_note(cfg))
