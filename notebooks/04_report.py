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
# # 04 · One report, ready to read
#
# The page an analyst reads for one report (`REPORT_ID`): its summaries by each method,
# its metadata, the documents it cites, the glossary terms used, the Vietnamese and the
# English side by side with flagged sentences marked, its photo captions, and how it was
# produced. `make reports` runs this notebook once per report and exports each run to
# `OUT/html/<report_id>.html`. It reads the data written by notebooks 01-03.

# %% tags=["parameters"]
import os

SEEDS = os.environ.get("HELPERS_SEEDS", "../seeds")
OUT = os.environ.get("HELPERS_OUT", "../build")
MODELS = os.environ.get("HELPERS_MODELS", "auto")
BACKEND = "ctranslate2"
REPORT_ID = "000_b4ca7e3004645a9d"

# %%
from IPython.display import HTML, display

from helpers.config import Config
from helpers.report import load_outputs, report_page

cfg = Config(seeds=SEEDS, out=OUT, models=MODELS, backend=BACKEND)
outputs = load_outputs(cfg)
display(HTML(report_page(outputs, REPORT_ID)))

# %% [markdown]
# ## Sentence by sentence: length and flags

# %%
import matplotlib.pyplot as plt

sents = outputs.sentences[outputs.sentences["report_id"] == REPORT_ID]
words = sents["text_vi"].str.split().str.len()
colors = ["#e67e22" if f else "#4a90d9" for f in sents["flags"]]
fig, ax = plt.subplots(figsize=(8, 2.5))
ax.bar(sents["sentence_no"].astype(int), words, color=colors)
ax.set_xlabel("sentence (orange: flagged)")
ax.set_ylabel("words")
plt.show()
