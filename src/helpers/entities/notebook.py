"""Notebook 07's two parts: the run's entity tables (as written by the step, or made now from what
the run has), and a small form to save a correction to `REVIEWS/entities.csv`."""

from __future__ import annotations

from html import escape

import pandas as pd

from helpers.config import Config
from helpers.entities.corrections import CorrectionError, save_correction
from helpers.entities.merge import KINDS
from helpers.review.entries import reviewer_name


class CorrectionPanel:
    """Choose an entity, say what is wrong with it, save: one line in `REVIEWS/entities.csv`, applied
    by every later run."""

    def __init__(self, cfg: Config, entities: pd.DataFrame, reviewer: str | None = None) -> None:
        import ipywidgets as widgets

        self.cfg, self.reviewer = cfg, reviewer_name(reviewer)
        options = [(f"{e.kind}: {e.name_vi} ({e.reports} reports)", (e.kind, e.name_vi))
                   for e in entities.itertuples()]
        self.entity = widgets.Dropdown(options=options, description="Entity", layout={"width": "40em"})
        self.action = widgets.Dropdown(options=[
            ("it is of another kind (rekind)", "rekind"), ("it is the same as another (merge)", "merge"),
            ("it is not a name (reject)", "reject"), ("its English is (english)", "english")],
            description="Correction")
        self.value = widgets.Text(description="Value", placeholder=f"a kind ({', '.join(KINDS)}), the other "
                                  "entity's name, or the English", layout={"width": "40em"})
        self.save = widgets.Button(description="Save", button_style="primary")
        self.note = widgets.HTML()
        self.save.on_click(lambda _: self.note.__setattr__("value", self.submit()))
        self.widget = widgets.VBox([self.entity, self.action, self.value, self.save, self.note])

    def submit(self) -> str:
        """Save what the form says; the line shown under it (what was saved, or why not)."""
        if self.entity.value is None:
            return "<p>Choose an entity first.</p>"
        kind, name = self.entity.value
        try:
            c = save_correction(self.cfg.reviews, self.action.value, kind, name, self.value.value, self.reviewer)
        except (CorrectionError, OSError) as exc:
            return f"<p><b>Not saved:</b> {escape(str(exc))}</p>"
        return (f"<p>Saved: {escape(c.action)} {escape(c.kind)} <span lang='vi'>{escape(c.name_vi)}</span>"
                f"{' → ' + escape(c.value) if c.value else ''}. The next <code>make reports</code> applies it.</p>")

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

