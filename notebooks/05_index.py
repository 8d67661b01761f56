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
# # 05 · Index: every report at a glance
#
# Which reports were processed, what each is about (title, date, English title, the
# extractive summary), how many of its sentences were flagged, and which inputs could
# not be used and why. Exported as `OUT/html/index.html`, linking to each report's page.

# %% tags=["parameters"]
import os

SEEDS = os.environ.get("HELPERS_SEEDS", "../seeds")
OUT = os.environ.get("HELPERS_OUT", "../build")
MODELS = os.environ.get("HELPERS_MODELS", "auto")
BACKEND = "ctranslate2"

# %%
from IPython.display import HTML, display

from helpers.config import Config
from helpers.report import index_page, load_outputs

cfg = Config(seeds=SEEDS, out=OUT, models=MODELS, backend=BACKEND)
outputs = load_outputs(cfg)
display(HTML(index_page(outputs)))

# %% [markdown]
# ## Flagged sentences per report

# %%
import matplotlib.pyplot as plt

s = outputs.sentences
counts = s.assign(flagged=s["flags"] != "").groupby("report_id")["flagged"].agg(["sum", "count"])
fig, ax = plt.subplots(figsize=(8, 2.5))
ax.barh(counts.index, counts["count"], color="#4a90d9", label="sentences")
ax.barh(counts.index, counts["sum"], color="#e67e22", label="flagged")
ax.legend()
plt.show()
