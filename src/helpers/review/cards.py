"""The review panel's cards (ipywidgets): one per sentence, one per summary. A card shows; what a
click does is the panel's (`ReviewPanel.review`, `.revert`, `.add_term`, `.review_summary`), so a
test drives the widgets as a person would (`card.english.value = ...; card.save.click()`).

A sentence's card: its Vietnamese and where it occurs (folded when in many places), the English
as shown (the saved English once reviewed, with its fresh checks and the machine English folded
beneath), its flags in words, the English box, Approve / Save / Revert, and a glossary term.
"""

from __future__ import annotations

from html import escape
from typing import Any, Protocol

import ipywidgets as widgets

from helpers.checks.flags import describe, split_flags
from helpers.review.entries import Review
from helpers.review.glossary import KINDS
from helpers.review.queue import Item, Report, places_html
from helpers.review.summaries import SummaryReview



class ReviewPanel(Protocol):
    """What a card needs of the panel (`review.notebook.ReviewPanel`): the reviews, and its actions."""

    reviews: dict[str, Review]
    summary_reviews: dict[Any, SummaryReview]

    def review(self, card: Any, approve: bool = False) -> bool: ...
    def revert(self, card: Any) -> None: ...
    def edited(self, card: Any) -> None: ...
    def add_term(self, card: Any) -> None: ...
    def review_summary(self, card: Any, approve: bool = False) -> bool: ...

GREEN, ORANGE, RED = "#2e7d32", "#b26a00", "#b00020"


def flags_html(cell: str) -> str:
    """A flags cell as an HTML list, each flag with its meaning in words (the registry's)."""
    lines = describe(cell)
    if not lines:
        return "<p><i>no flag</i></p>"
    items = [f"<li><code>{escape(f)}</code>: {escape(line[len(f) + 2:])}</li>"
             for f, line in zip(split_flags(cell), lines)]
    return f"<ul>{''.join(items)}</ul>"


def coloured(text: str, colour: str) -> str:
    return f"<span style='color:{colour}'>{escape(text)}</span>"


class Card:
    """One sentence's widgets, made once and loaded with a sentence at each page (`load`): setting
    values is quick, making widgets is not. `baseline` is the English as shown: the saved review's,
    else the machine English (without the project's notes); the box holds it or the reviewer's edit."""

    def __init__(self, panel: ReviewPanel) -> None:
        self.panel = panel
        self.item: Item | None = None
        self.baseline = ""
        self.loading = False  # a load sets the box: that is no edit
        self.english = widgets.Textarea(layout=widgets.Layout(width="95%", height="5em"))
        self.approve = widgets.Button(description="Approve", button_style="success",
                                      tooltip="the English as shown above is right")
        self.save = widgets.Button(description="Save", button_style="primary", tooltip="keep the English in the box")
        self.revert = widgets.Button(description="Revert", tooltip="put the English as shown back in the box",
                                     layout=widgets.Layout(display="none"))
        self.status = widgets.HTML()  # who reviewed it when
        self.notice = widgets.HTML()  # the box differs, or a save failed
        self.about = widgets.HTML()  # the Vietnamese and where it occurs
        self.shown = widgets.HTML()  # the English as shown, its flags in words
        self.term = widgets.Text(placeholder="Vietnamese term, as in the sentence")
        self.term_en = widgets.Text(placeholder="its English")
        self.term_kind = widgets.Dropdown(options=KINDS, value="office", layout=widgets.Layout(width="8em"))
        self.add = widgets.Button(description="Add to glossary")
        self.term_status = widgets.HTML()  # the glossary's answer, apart from the ✓ line
        self.approve.on_click(lambda _: panel.review(self, approve=True))
        self.save.on_click(lambda _: panel.review(self))
        self.revert.on_click(lambda _: panel.revert(self))
        self.add.on_click(lambda _: panel.add_term(self))
        self.english.observe(self._box_changed, names="value")
        self.terms = widgets.Accordion([widgets.VBox([widgets.HBox([self.term, self.term_en, self.term_kind, self.add]),
                                                      self.term_status])], selected_index=None,
                                       titles=("Add a glossary term",))
        self.box = widgets.VBox([self.about, self.shown, self.english, self.notice,
                                 widgets.HBox([self.approve, self.save, self.revert, self.status]), self.terms],
                                layout=widgets.Layout(border="1px solid #ccc", padding="0.5em", margin="0.3em 0"))

    def load(self, item: Item, reports: dict[str, Report], draft: str | None, fresh_flags: str | None) -> None:
        """Show a sentence: the box holds its draft when there is one, else the English as shown."""
        self.item = item
        review = self.panel.reviews.get(item.source)
        self.baseline = review.english if review else item.machine
        self.loading = True
        try:
            self.english.value = self.baseline if draft is None else draft
        finally:
            self.loading = False
        self.status.value = self.said(review)
        self.about.value = (f"<p lang='vi'><b>{escape(item.source)}</b><br><small>"
                            f"{places_html(item, reports, escape)}</small></p>")
        self.shown.value = self.shown_html(review, item.flags if fresh_flags is None else fresh_flags)
        self.term.value = self.term_en.value = self.term_status.value = ""
        self.terms.selected_index = None
        self.show_dirty()

    @property
    def loaded(self) -> Item:
        """The sentence shown: a card is shown, and so edited or clicked, only once `load` gave it one."""
        if self.item is None:
            raise RuntimeError("the card has no sentence loaded")
        return self.item

    def _box_changed(self, _change: Any) -> None:
        """The English box changed: an edit, unless a load set it."""
        if not self.loading:
            self.panel.edited(self)

    @property
    def dirty(self) -> bool:
        """True when the box holds something other than the English as shown."""
        return self.english.value.strip() != self.baseline

    def show_dirty(self) -> None:
        """Say whether the box differs from the English as shown, and offer Revert when it does."""
        what = "saved" if self.loaded.source in self.panel.reviews else "machine"
        self.notice.value = coloured(f"not saved: the box differs from the {what} English. Save keeps your English, "
                                     f"Revert puts the {what} English back.", ORANGE) if self.dirty else ""
        self.revert.layout.display = "" if self.dirty else "none"

    def shown_html(self, review: Review | None, flags: str) -> str:
        """The English as shown: the machine's with its flags; once reviewed, the saved English with
        the flags of its fresh checks, and the machine English folded beneath."""
        item = self.loaded
        if review is None:
            return f"<p>{escape(item.machine)}</p>{flags_html(flags)}"
        other = item.origin != "review" and review.english != item.english
        machine = (f"<details><summary>machine English</summary><p>{escape(item.english)}</p>"
                   f"{flags_html(item.flags)}</details>") if other else ""
        return (f"<p><b>Reviewed English</b>: {escape(review.english)}</p>{flags_html(flags)}{machine}")

    def reviewed(self, review: Review, fresh_flags: str, note: str = "") -> None:
        """After a save: the saved English is the one shown, with its fresh checks."""
        self.baseline = review.english
        self.english.value = review.english
        self.shown.value = self.shown_html(review, fresh_flags)
        self.status.value = self.said(review) + (f" {escape(note)}" if note else "")
        self.show_dirty()

    @staticmethod
    def said(review: Review | None) -> str:
        """The card's status: who reviewed the sentence when, or nothing."""
        return coloured(f"✓ {review.said()}", GREEN) if review else ""


class SummaryCard:
    """One summary of the chosen report: approve it, or replace it with the box's text."""

    def __init__(self, panel: ReviewPanel, summary: dict[str, str]) -> None:
        self.summary = summary
        review = panel.summary_reviews.get((summary["report_id"], summary["method"]))
        self.text = widgets.Textarea(value=summary["summary_en"], layout=widgets.Layout(width="95%", height="6em"))
        self.approve = widgets.Button(description="Approve summary", button_style="success")
        self.save = widgets.Button(description="Save summary", button_style="primary")
        self.status = widgets.HTML(self.said(review, summary))
        about = widgets.HTML(f"<p><b>Summary ({escape(summary['method'])})</b>: {escape(summary['summary_en'])}</p>"
                             + (flags_html(summary["flags"]) if summary["flags"] else ""))
        self.approve.on_click(lambda _: panel.review_summary(self, approve=True))
        self.save.on_click(lambda _: panel.review_summary(self))
        self.box = widgets.VBox([about, self.text, widgets.HBox([self.approve, self.save, self.status])],
                                layout=widgets.Layout(border="1px solid #9ab", padding="0.5em", margin="0.3em 0"))

    @staticmethod
    def said(review: SummaryReview | None, summary: dict[str, str]) -> str:
        """The card's status: who reviewed the summary when, and whether for an earlier text."""
        if review is None:
            return ""
        stale = summary["review"] == "stale"
        return coloured(f"{'stale: ' if stale else '✓ '}{review.said()}", ORANGE if stale else GREEN)
