"""The review panel of notebook 06 (ipywidgets): choose a report or all flagged sentences; each
sentence shows its Vietnamese, its English, its flags in words, an editable English box, Approve
and Save buttons and a way to add a glossary term; a progress line counts what is reviewed.
Saving writes the reviews folder at once (`review.store`); the pages change at the next `make reports`.

Everything a person does goes through `ReviewPanel.review` and `ReviewPanel.add_term`, which the
buttons call, so a test can drive the widgets in a kernel as a person would (`card.save.click()`).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import ipywidgets as widgets
import pandas as pd

from helpers.checks.flags import flag_code, meaning, split_flags
from helpers.config import Config
from helpers.review.entries import Review, now, reviewer_name
from helpers.review.glossary import KINDS, add_term
from helpers.review.store import load_reviews, save_reviews
from helpers.review.summaries import SummaryReview, load_summary_reviews, report_digest, save_summary_review
from helpers.store.contract import read_table

ALL = "all flagged"
PAGE = 20  # sentences shown at once


@dataclass(frozen=True)
class Item:
    """A sentence to review (once, however many times it occurs): its text, English and flags as the
    run has them, and where it occurs."""

    source: str
    english: str
    flags: str
    where: str


def items_of(sentences: pd.DataFrame, report_id: str, reviewed: set[str]) -> list[Item]:
    """The sentences to review: of one report, flagged ones first; or, for ALL, every flagged or
    reviewed sentence of the run. Each Vietnamese sentence once."""
    frame = sentences if report_id == ALL else sentences[sentences["report_id"] == report_id]
    if report_id == ALL:
        frame = frame[(frame["flags"] != "") | frame["text_vi"].isin(reviewed) | (frame["origin"] == "review")]
    frame = frame.assign(_later=frame["flags"] == "").sort_values("_later", kind="stable")
    where = frame.groupby("text_vi", sort=False).apply(
        lambda g: ", ".join(f"{r} #{n}" for r, n in zip(g["report_id"], g["sentence_no"])), include_groups=False)
    first = frame.drop_duplicates("text_vi")
    return [Item(r["text_vi"], r["text_en"], r["flags"], where[r["text_vi"]]) for r in first.to_dict("records")]


def flags_in_words(cell: str) -> str:
    """A sentence's flags as HTML list items, each with its meaning (the registry's)."""
    return "".join(f"<li><code>{escape(f)}</code>: {escape(meaning(flag_code(f)))}</li>" for f in split_flags(cell))


class Card:
    """One sentence's widgets."""

    def __init__(self, panel: ReviewPanel, item: Item) -> None:
        self.item = item
        review = panel.reviews.get(item.source)
        self.english = widgets.Textarea(value=review.english if review else item.english,
                                        layout=widgets.Layout(width="95%", height="5em"))
        self.approve = widgets.Button(description="Approve", button_style="success",
                                      tooltip="the English of the run is right as it is")
        self.save = widgets.Button(description="Save", button_style="primary", tooltip="keep the English in the box")
        self.status = widgets.HTML(self.said(review))
        self.term = widgets.Text(placeholder="Vietnamese term, as in the sentence")
        self.term_en = widgets.Text(placeholder="its English")
        self.term_kind = widgets.Dropdown(options=KINDS, value="office", layout=widgets.Layout(width="8em"))
        self.add = widgets.Button(description="Add to glossary")
        flags = flags_in_words(item.flags)
        about = widgets.HTML(
            f"<p lang='vi'><b>{escape(item.source)}</b> <small>({escape(item.where)})</small></p>"
            f"<p>{escape(item.english)}</p>" + (f"<ul>{flags}</ul>" if flags else "<p><i>no flag</i></p>"))
        self.approve.on_click(lambda _: panel.review(self, approve=True))
        self.save.on_click(lambda _: panel.review(self))
        self.add.on_click(lambda _: panel.add_term(self))
        self.box = widgets.VBox([about, self.english, widgets.HBox([self.approve, self.save, self.status]),
                                 widgets.HBox([self.term, self.term_en, self.term_kind, self.add])],
                                layout=widgets.Layout(border="1px solid #ccc", padding="0.5em", margin="0.3em 0"))

    @staticmethod
    def said(review: Review | None) -> str:
        """The card's status: who reviewed the sentence when, or nothing."""
        return f"<span style='color:#2e7d32'>✓ {escape(review.said())}</span>" if review else ""


class SummaryCard:
    """One summary of the chosen report: approve it, or replace it with the box's text."""

    def __init__(self, panel: ReviewPanel, summary: dict[str, str]) -> None:
        self.summary = summary
        review = panel.summary_reviews.get((summary["report_id"], summary["method"]))
        self.text = widgets.Textarea(value=summary["summary_en"], layout=widgets.Layout(width="95%", height="6em"))
        self.approve = widgets.Button(description="Approve summary", button_style="success")
        self.save = widgets.Button(description="Save summary", button_style="primary")
        self.status = widgets.HTML(self.said(review, summary))
        flags = flags_in_words(summary["flags"])
        about = widgets.HTML(f"<p><b>Summary ({escape(summary['method'])})</b>: {escape(summary['summary_en'])}</p>"
                             + (f"<ul>{flags}</ul>" if flags else ""))
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
        return (f"<span style='color:{'#b26a00' if stale else '#2e7d32'}'>{'stale: ' if stale else '✓ '}"
                f"{escape(review.said())}</span>")


class ReviewPanel:
    """The review panel: a report (or ALL) chosen, its sentences as cards, a page at a time."""

    def __init__(self, cfg: Config, report_id: str | None = None, reviewer: str | None = None) -> None:
        self.cfg = cfg
        self.reviewer = reviewer_name(reviewer)
        self.sentences = read_table(cfg, "sentences")
        ids = list(dict.fromkeys(self.sentences["report_id"]))
        if report_id not in (None, ALL, *ids):
            raise ValueError(f"no report {report_id!r} in {cfg.data_dir / 'sentences.csv'}; the reports are: "
                             f"{', '.join(ids)}")
        self.reviews = load_reviews(cfg.reviews)
        self.summary_reviews = load_summary_reviews(cfg.reviews)
        try:
            self.summaries = read_table(cfg, "summaries")
        except FileNotFoundError:  # the summary stage has not run: sentences only
            self.summaries = None
        self.summary_list = widgets.VBox()
        self.summary_cards: list[SummaryCard] = []
        self.choice = widgets.Dropdown(options=[ALL, *ids], value=report_id or ALL, description="Review")
        self.progress = widgets.HTML()
        self.note = widgets.HTML()
        self.previous = widgets.Button(description="◀ previous")
        self.next = widgets.Button(description="next ▶")
        self.where = widgets.Label()
        self.list = widgets.VBox()
        self.cards: list[Card] = []
        self.page = 0
        self.choice.observe(lambda _: self.show(0), names="value")
        self.previous.on_click(lambda _: self.show(self.page - 1))
        self.next.on_click(lambda _: self.show(self.page + 1))
        self.widget = widgets.VBox([self.choice, self.progress, self.summary_list, self.list,
                                    widgets.HBox([self.previous, self.where, self.next]), self.note])
        self.show(0)

    def items(self) -> list[Item]:
        """The sentences of the current choice, to review."""
        return items_of(self.sentences, self.choice.value, set(self.reviews))

    def show(self, page: int) -> None:
        """Show one page of the chosen sentences."""
        items = self.items()
        last = max(0, (len(items) - 1) // PAGE)
        self.page = min(max(page, 0), last)
        shown = items[self.page * PAGE:(self.page + 1) * PAGE]
        self.cards = [Card(self, item) for item in shown]
        chosen = [] if self.summaries is None or self.choice.value == ALL else \
            self.summaries[self.summaries["report_id"] == self.choice.value].to_dict("records")
        self.summary_cards = [SummaryCard(self, s) for s in chosen]
        self.summary_list.children = [c.box for c in self.summary_cards]
        self.list.children = [c.box for c in self.cards] or [widgets.HTML("<p>Nothing to review here.</p>")]
        start = self.page * PAGE + 1 if shown else 0
        self.where.value = f"sentences {start}–{start + len(shown) - 1 if shown else 0} of {len(items)}"
        self.update_progress()

    def progress_line(self) -> str:
        """'reviewed 12 of 30 flagged sentences' (of the choice; a reviewed sentence counts as
        flagged even when its reviewed English raises no flag any more)."""
        flagged = [i for i in self.items() if i.flags or i.source in self.reviews]
        done = sum(i.source in self.reviews for i in flagged)
        return f"reviewed {done} of {len(flagged)} flagged sentences"

    def update_progress(self) -> None:
        """Show the progress line, the choice, the reviewer and where saves go."""
        self.progress.value = f"<b>{escape(self.progress_line())}</b> ({escape(self.choice.value)}; reviewer: " \
                              f"{escape(self.reviewer)}; saved to {escape(str(self.cfg.reviews))})"

    def review(self, card: Card, approve: bool = False) -> bool:
        """Save a card's English (Approve: the run's English as it is); True when the reviews changed."""
        english = card.item.english if approve else card.english.value.strip()
        if not english:
            card.status.value = "<span style='color:#b00020'>nothing saved: the English box is empty</span>"
            return False
        kind = "approved" if english == card.item.english else "corrected"
        changed = save_reviews(self.cfg.reviews, [Review(card.item.source, english, self.reviewer, now(), kind)])
        self.reviews = load_reviews(self.cfg.reviews)  # others' saves too
        card.english.value = english
        card.status.value = Card.said(self.reviews.get(card.item.source)) + ("" if changed else " (already so)")
        self.update_progress()
        self.note.value = ("<p><b>The HTML pages are now out of date</b>: run <code>make reports</code> to make them "
                           "again with the reviewed English.</p>")
        return bool(changed)

    def review_summary(self, card: SummaryCard, approve: bool = False) -> bool:
        """Save a summary (Approve: as the run made it) for the report's current text; True when saved."""
        text = card.summary["summary_en"] if approve else card.text.value.strip()
        if not text:
            card.status.value = "<span style='color:#b00020'>nothing saved: the summary box is empty</span>"
            return False
        rid = card.summary["report_id"]
        digest = report_digest(self.sentences.loc[self.sentences["report_id"] == rid, "text_vi"].tolist())
        review = SummaryReview(rid, card.summary["method"], digest, text, self.reviewer, now(),
                               "approved" if text == card.summary["summary_en"] else "corrected")
        saved = save_summary_review(self.cfg.reviews, review)
        self.summary_reviews = load_summary_reviews(self.cfg.reviews)
        card.status.value = f"<span style='color:#2e7d32'>✓ {escape(review.said())}</span>" + \
            ("" if saved else " (already so)")
        self.note.value = ("<p><b>The HTML pages are now out of date</b>: run <code>make reports</code> to make them "
                           "again with the reviewed summary.</p>")
        return saved

    def add_term(self, card: Card) -> None:
        """Add the card's glossary term to the reviewers' glossary (REVIEWS/glossary.csv)."""
        if card.term.value.strip() not in card.item.source:
            card.status.value = "<span style='color:#b00020'>the term must be words of this sentence</span>"
            return
        try:
            path = add_term(self.cfg.reviews, card.term.value, card.term_en.value, card.term_kind.value)
        except ValueError as exc:
            card.status.value = f"<span style='color:#b00020'>{escape(str(exc))}</span>"
            return
        card.status.value = f"added {escape(card.term.value.strip())!s} to {escape(path.name)}"

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
