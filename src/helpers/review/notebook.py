"""The review panel of notebook 06 (ipywidgets). At the top: the progress line (live), who reviews
(remembered between sessions), the unsaved count and what to run next; then the report picker
(titles, dates, how many flagged sentences wait; type to search), "unreviewed only", a flag filter
and "next unreviewed"; then a page of cards (`review.cards`).

Nothing typed is lost: a box that differs from the English as shown is kept as a draft, on screen
and on disk (`review.personal`), through changes of report, page or filter and across sessions, and
counted; Approve saves only the English as shown. Saving writes the reviews folder at once
(`review.store`); the pages change at the next `make reports`.
"""

from __future__ import annotations

from html import escape

import ipywidgets as widgets

from helpers.checks.flags import FLAGS, join_flags
from helpers.config import Config
from helpers.errors import InputError, SettingsError, UserError
from helpers.review.cards import RED, Card, SummaryCard, coloured
from helpers.review.entries import Review, now
from helpers.review.glossary import add_term, glossary_for
from helpers.review.personal import keep_drafts, load_drafts, remember_name, starting_name
from helpers.review.queue import ALL, Queue, build_queue, picker_options
from helpers.review.store import load_reviews, save_reviews
from helpers.review.summaries import SummaryReview, load_summary_reviews, report_digest, save_summary_review
from helpers.store.contract import TABLES, read_table
from helpers.inference.sentences import checked

PAGE = 10  # cards shown at once
UNSAVED = "(unsaved)"  # the Flag filter's choice of the sentences with an unsaved edit
WRAP = widgets.Layout(flex_flow="row wrap")  # a row of controls wraps on a narrow screen
STALE_PAGES = ("<b>The HTML pages are now out of date</b>: run <code>make reports</code> to make them again with "
               "the reviewed English.")


def open_panel(cfg: Config, report_id: str | None = None, reviewer: str | None = None):
    """The panel, or, when the run has nothing to review yet (or REPORT_ID names no report), one
    Markdown line saying what to run: never a traceback before the first run."""
    from IPython.display import Markdown

    table = cfg.data_dir / TABLES["sentences"].file
    if not table.is_file():
        return Markdown(f"**Nothing to review yet**: `{table}` does not exist. Run `make reports` (with this `OUT`), "
                        f"then run this notebook again.")
    try:
        return ReviewPanel(cfg, report_id, reviewer)
    except UserError as exc:
        return Markdown(f"**Cannot review**: {escape(str(exc))}")


class ReviewPanel:
    """The review panel: a choice of report (or all), its sentences as cards, a page at a time."""

    def __init__(self, cfg: Config, report_id: str | None = None, reviewer: str | None = None) -> None:
        self.cfg = cfg
        sentences = read_table(cfg, "sentences")
        try:
            reports = read_table(cfg, "reports")
        except InputError:  # the table is missing or of another version
            reports = None
        self.queue: Queue = build_queue(sentences, reports)
        self.sentences = sentences
        if report_id not in (None, ALL, *self.queue.reports):
            raise SettingsError(f"REPORT_ID: no report {report_id!r} in {cfg.data_dir / 'sentences.csv'}; "
                                f"the reports are: {', '.join(self.queue.reports)}")
        self.reviews = load_reviews(cfg.reviews)
        self.summary_reviews = load_summary_reviews(cfg.reviews)
        self.glossary = glossary_for(cfg.reviews)
        self.fresh: dict[str, str] = {}  # flags of English saved in this session, checked at once
        self.drafts: dict[str, str] = {  # an edit that is now the English as shown is no draft any more
            s: text for s, text in load_drafts(cfg.reviews).items()
            if s not in self.queue.items or text.strip() != self.baseline(s)}
        try:
            self.summaries = read_table(cfg, "summaries")
        except InputError:  # the summary stage has not run: sentences only
            self.summaries = None
        self.reviewer = widgets.Text(value=(reviewer or cfg.reviewer or "").strip() or starting_name(None),
                                     description="Reviewer", continuous_update=False)
        self.reviewer.observe(lambda _: self.name_changed(), names="value")
        self.progress = widgets.HTML()
        self.note = widgets.HTML()
        self.search = widgets.Text(placeholder="type to search titles, dates, ids", description="Find",
                                   continuous_update=True)
        self.choice = widgets.Dropdown(description="Report", layout=widgets.Layout(width="95%"))
        self.unreviewed_only = widgets.Checkbox(value=True, description="unreviewed only", indent=False)
        codes = sorted({c for i in self.queue.items.values() for c in i.codes})
        self.flag = widgets.Dropdown(options=[("any flag", ""), ("with an unsaved edit", UNSAVED)]
                                     + [(f"{c}: {FLAGS.get(c, '')}"[:90], c) for c in codes],
                                     value="", description="Flag", layout=widgets.Layout(width="60%"))
        self.next_unreviewed = widgets.Button(description="next unreviewed ▶", button_style="info")
        self.previous = widgets.Button(description="◀ previous page")
        self.next = widgets.Button(description="next page ▶")
        self.where = widgets.Label()
        self.summary_list = widgets.VBox()
        self.summary_cards: list[SummaryCard] = []
        self.list = widgets.VBox()
        self.pool = [Card(self) for _ in range(PAGE)]  # made once, loaded with each page's sentences
        self.cards: list[Card] = []
        self.shown: list[str] = []
        self.start = 0
        self._refill_picker(report_id or ALL)
        for control in (self.choice, self.unreviewed_only, self.flag):
            control.observe(lambda _: self.show(0), names="value")
        self.search.observe(lambda _: self._refill_picker(self.choice.value), names="value")
        self.previous.on_click(lambda _: self.show(self.start - PAGE))
        self.next.on_click(lambda _: self.show(self.start + PAGE))
        self.next_unreviewed.on_click(lambda _: self.go_next_unreviewed())
        self.widget = widgets.VBox([
            self.progress, self.reviewer, self.note,
            widgets.HBox([self.search, self.unreviewed_only], layout=WRAP), self.choice,
            widgets.HBox([self.flag, self.next_unreviewed], layout=WRAP),
            self.summary_list, self.list, widgets.HBox([self.previous, self.where, self.next])])
        self.show(0)

    # ------------------------------------------------------------ what is shown

    def _refill_picker(self, keep: str) -> None:
        """The picker's options for the search typed (the report shown stays listed)."""
        done, flagged, _ = self.queue.counted(self.reviews)
        options = picker_options(self.queue, self.queue.unreviewed(self.reviews), self.search.value, keep,
                                 flagged - done)
        self._picking = True
        try:
            self.choice.options = options
            self.choice.value = keep
        finally:
            self._picking = False

    def show(self, start: int) -> None:
        """Show a page of the chosen sentences, from position `start`; drafts stay in their boxes."""
        if getattr(self, "_picking", False):
            return
        self.shown = self.chosen(self.choice.value)
        self.start = min(max(start, 0), max(0, len(self.shown) - 1))
        page = self.shown[self.start:self.start + PAGE]
        self.cards = self.pool[:len(page)]
        for card, source in zip(self.cards, page):
            card.load(self.queue.items[source], self.queue.reports, self.drafts.get(source), self.fresh.get(source))
        rid = self.choice.value
        chosen = [] if self.summaries is None or not rid else \
            self.summaries[self.summaries["report_id"] == rid].to_dict("records")
        self.summary_cards = [SummaryCard(self, s) for s in chosen]
        self.summary_list.children = [c.box for c in self.summary_cards]
        empty = "every flagged sentence here is reviewed" if self.unreviewed_only.value else "nothing to review here"
        self.list.children = [c.box for c in self.cards] or [widgets.HTML(f"<p>{empty}.</p>")]
        first = self.start + 1 if page else 0
        self.where.value = f"sentences {first}–{self.start + len(page)} of {len(self.shown)}"
        self.update_progress()

    def baseline(self, source: str) -> str:
        """A sentence's English as shown: its review's, else the machine English."""
        review = self.reviews.get(source)
        return review.english if review else self.queue.items[source].machine

    def chosen(self, report_id: str) -> list[str]:
        """The sentences of a choice as the filters ask (UNSAVED: those with an edit not saved)."""
        if self.flag.value == UNSAVED:
            return [s for s in self.queue.choose(report_id, self.reviews, False) if s in self.drafts]
        return self.queue.choose(report_id, self.reviews, self.unreviewed_only.value, self.flag.value)

    def go_next_unreviewed(self) -> bool:
        """Show the next unreviewed flagged sentence first on the page (in this report, then the next
        ones); False when there is none left."""
        code = "" if self.flag.value == UNSAVED else self.flag.value
        found = self.queue.next_unreviewed(self.choice.value, self.shown, self.start if self.cards else -1,
                                           self.reviews, code)
        if found is None:
            self.note.value = "<p>Every flagged sentence is reviewed.</p>"
            return False
        rid, source = found
        if rid != self.choice.value:
            self._refill_picker(rid)
        if self.flag.value == UNSAVED and source not in self.drafts:
            self.flag.value = ""  # (shows the first page; the sentence is found next)
        shown = self.chosen(rid)
        self.show(shown.index(source) if source in shown else 0)
        return True

    def progress_line(self) -> str:
        """'reviewed 2 of 121 flagged sentences (122 flagged places, as make reports counts them)': the
        panel lists a sentence of many reports once, `make reports` counts each occurrence."""
        done, flagged, places = self.queue.counted(self.reviews, self.choice.value)
        where = "" if self.choice.value or places == flagged else \
            f" ({places} flagged places, as make reports counts them: here a sentence of many reports counts once)"
        return f"reviewed {done} of {flagged} flagged sentences{where}"

    def update_progress(self) -> None:
        """The progress line, the unsaved count and where saves go, at the top."""
        unsaved = sum(s in self.queue.items for s in self.drafts)  # of this run (the file may hold others)
        chosen = self.queue.reports.get(self.choice.value)
        self.progress.value = (
            f"<b>{escape(self.progress_line())}</b> · "
            + (escape(chosen.title or chosen.report_id) if chosen else "all reports")
            + (f" · {coloured(f'{unsaved} unsaved', RED)}" if unsaved else " · nothing unsaved")
            + f" · saved to <code>{escape(str(self.cfg.reviews))}</code>")

    # ------------------------------------------------------------ what a person does

    def edited(self, card: Card) -> None:
        """A box changed: keep it as a draft while it differs from the English as shown."""
        source = card.loaded.source
        if card.dirty:
            self.drafts[source] = card.english.value
        else:
            self.drafts.pop(source, None)
        card.show_dirty()
        problem = keep_drafts(self.cfg.reviews, self.drafts)
        if problem:
            card.notice.value += " " + coloured(problem, RED)
        self.update_progress()

    def revert(self, card: Card) -> None:
        """Put the English as shown back in the box (the draft is dropped)."""
        card.english.value = card.baseline

    def name_changed(self) -> None:
        """The reviewer's name, remembered for the next session."""
        problem = remember_name(self.reviewer.value) if self.reviewer.value.strip() else "the reviewer's name is empty"
        self.note.value = f"<p>{coloured(problem, RED)}</p>" if problem else ""

    def who(self) -> str:
        return self.reviewer.value.strip() or starting_name(None)

    def review(self, card: Card, approve: bool = False) -> bool:
        """Save a card's English; True when the reviews changed. Approve saves the English as shown,
        and only when the box holds it: an edit is never thrown away, the card offers Save or Revert."""
        text = card.english.value.strip()
        if approve and card.dirty:
            card.notice.value = coloured("Approve is for the English as shown, and the box holds your own English: "
                                         "Save it, or Revert to approve the English as shown.", RED)
            card.revert.layout.display = ""
            return False
        english = card.baseline if approve else text
        if not english:
            card.notice.value = coloured("nothing saved: the English box is empty", RED)
            return False
        item = card.loaded
        kind = "approved" if english == item.machine else "corrected"
        try:
            changed = save_reviews(self.cfg.reviews, [Review(item.source, english, self.who(), now(), kind)])
        except (OSError, ValueError) as exc:
            card.notice.value = coloured(f"not saved: {exc}", RED)
            return False
        self.reviews = load_reviews(self.cfg.reviews)  # others' saves too
        self.fresh[item.source] = join_flags(list(checked(item.source, english, self.glossary).flags))
        self.drafts.pop(item.source, None)
        keep_drafts(self.cfg.reviews, self.drafts)
        card.reviewed(self.reviews[item.source], self.fresh[item.source], "" if changed else "(already so)")
        self.note.value = f"<p>{STALE_PAGES}</p>"
        self._refill_picker(self.choice.value)
        self.update_progress()
        return bool(changed)

    def review_summary(self, card: SummaryCard, approve: bool = False) -> bool:
        """Save a summary (Approve: as the run made it, only when the box holds it); True when saved."""
        made = card.summary["summary_en"]
        text = card.text.value.strip()
        if approve and text != made:
            card.status.value = coloured("Approve is for the summary as shown; the box holds your own: Save it", RED)
            return False
        text = made if approve else text
        if not text:
            card.status.value = coloured("nothing saved: the summary box is empty", RED)
            return False
        rid = card.summary["report_id"]
        digest = report_digest(self.sentences.loc[self.sentences["report_id"] == rid, "text_vi"].tolist())
        review = SummaryReview(rid, card.summary["method"], digest, text, self.who(), now(),
                               "approved" if text == made else "corrected")
        saved = save_summary_review(self.cfg.reviews, review)
        self.summary_reviews = load_summary_reviews(self.cfg.reviews)
        card.status.value = coloured(f"✓ {review.said()}" + ("" if saved else " (already so)"), "#2e7d32")
        self.note.value = f"<p>{STALE_PAGES}</p>"
        return saved

    def add_term(self, card: Card) -> None:
        """Add the card's glossary term to the reviewers' glossary (REVIEWS/glossary.csv)."""
        if card.term.value.strip() not in card.loaded.source:
            card.term_status.value = coloured("the term must be words of this sentence", RED)
            return
        try:
            path = add_term(self.cfg.reviews, card.term.value, card.term_en.value, card.term_kind.value)
        except ValueError as exc:
            card.term_status.value = coloured(str(exc), RED)
            return
        self.glossary = glossary_for(self.cfg.reviews)
        card.term_status.value = f"added {escape(card.term.value.strip())} to {escape(path.name)}"

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
