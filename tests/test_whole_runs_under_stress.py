"""Whole runs under stress: a folder of odd and hostile inputs, killed and concurrent runs, large
inputs, odd output folders and settings: nothing lost, nothing corrupted. (One input's edge cases
are tests/test_input_edge_cases.py.)

Each case runs the real command line and checks its exit status, stderr (a clear
message, never a traceback) and the ledger invariant."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers.corpus.inputs import read_source
from helpers.store.files import read_csv, write_text
from helpers.store.outputs import MARKER, claim_output

from cli_in_process import run_cli as cli  # `python -m helpers`, in this process
from conftest import ROOT, SEEDS

LF_SEED = SEEDS / "001_33798f45f77cf564.txt"
BAD = {
    "cp1258.txt": ("Báo cáo".encode("cp1258"), "not valid UTF-8"),
    "utf16-nobom.txt": ("Báo cáo tổng kết".encode("utf-16-le"), "UTF-16 without a byte-order mark"),
    "empty.txt": (b"", "empty file"),
    "blank.txt": (b" \n\t \n", "only whitespace"),
    "image.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary file"),
}
ENGLISH = ("The Ministry of Public Security held a conference in Hanoi to review the work of the year "
           "and to set out the tasks for the next one. Delegates discussed training and discipline.")


# Files of someone's in a previous output that no run wrote: they stay as they are.
MINE = {"data/translations/my-notes.txt": "mine", "html/my-page.html": "<p>mine</p>",
        "notebooks/my-analysis.ipynb": "{}", "my-list.txt": "mine"}




@pytest.fixture(scope="module")
def odd_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("odd") / "in"
    folder.mkdir()
    for name, (data, _) in BAD.items():
        (folder / name).write_bytes(data)
    (folder / "folder.txt").mkdir()
    (folder / "001 LF.txt").write_bytes(LF_SEED.read_bytes())
    (folder / "Báo cáo Đà Nẵng CRLF.txt").write_bytes(LF_SEED.read_bytes().replace(b"\n", b"\r\n"))
    words = " ".join(f"công tác xây dựng lực lượng số {i}" for i in range(400))  # no sentence punctuation
    (folder / "long line.txt").write_text("Báo cáo dài về công tác năm 2022\n\n" + words, encoding="utf-8")
    (folder / "menu only.txt").write_text("Phản hồi\n\nCác tin khác\n.\nMới nhất", encoding="utf-8")
    (folder / "english.txt").write_text("Conference of the Ministry\n\n" + ENGLISH, encoding="utf-8")
    (folder / "script.txt").write_text(
        "Tin có mã <script>alert(1)</script> trong tiêu đề\n\nNội dung <b>in đậm</b> của bản tin, "
        "được đăng trên trang điện tử của Bộ Công an vào sáng nay tại Hà Nội với nhiều hình ảnh.", encoding="utf-8")
    out = folder.parent / "out"
    claim_output(out, folder)  # OUT is a previous output, where someone left files of their own
    for name, text in MINE.items():
        write_text(out / name, text)
    proc = cli("summarise", "--seeds", str(folder), "--out", str(out), "--models", "demo",
               "--memory", str(folder.parent / "tm.sqlite"))
    return folder, out, proc


def test_bad_inputs_are_named_with_their_problem_and_the_run_exits_2(odd_run):
    folder, out, proc = odd_run
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    for name, (_, problem) in {**BAD, "folder.txt": (b"", "is a directory")}.items():
        line = next(ln for ln in proc.stderr.splitlines() if ln.startswith(f"error: {folder / name}: "))
        assert problem in line
    problems = read_csv(out / "data" / "problems.csv")
    assert sorted(problems["file"]) == sorted([*BAD, "folder.txt"])  # names within SEEDS, as reports.csv


def test_a_previous_output_keeps_the_files_no_run_wrote(odd_run):
    _, out, _ = odd_run
    assert {name: (out / name).read_text() for name in MINE} == MINE
    assert (out / "data" / "translations" / "english.txt").exists()  # the run's own, beside them


def test_every_line_of_every_processed_file_is_in_the_ledger_once(odd_run):
    folder, out, _ = odd_run
    ledger = read_csv(out / "data" / "ledger.csv")
    reports = read_csv(out / "data" / "reports.csv")
    assert len(reports) == 6
    for row in reports.itertuples():
        lines = read_source(folder / row.file).lines
        mine = ledger[ledger["report_id"] == row.report_id]
        assert mine["line_no"].astype(int).tolist() == list(range(1, len(lines) + 1))
        assert mine["text"].tolist() == list(lines)


def test_crlf_gives_the_same_sentences_as_lf_and_odd_names_are_fine(odd_run):
    _, out, _ = odd_run
    s = read_csv(out / "data" / "sentences.csv")
    reports = read_csv(out / "data" / "reports.csv").set_index("file")
    crlf, lf = reports.loc["Báo cáo Đà Nẵng CRLF.txt", "report_id"], reports.loc["001 LF.txt", "report_id"]
    assert crlf == "Bao-cao-Da-Nang-CRLF"
    assert s[s["report_id"] == crlf]["text_vi"].tolist() == s[s["report_id"] == lf]["text_vi"].tolist()
    assert (out / "data" / "translations" / f"{crlf}.txt").exists()


def test_a_long_line_without_punctuation_is_translated_whole(odd_run):
    _, out, _ = odd_run
    s = read_csv(out / "data" / "sentences.csv")
    long = s[s["report_id"] == "long-line"]
    body = long[long["role"] == "body"]
    assert len(body) == 1 and len(body.iloc[0]["text_vi"].split()) == 3200
    assert int(body.iloc[0]["pieces"]) > 1 and body.iloc[0]["text_en"]
    assert "split:" in body.iloc[0]["flags"]


def test_boilerplate_only_report_has_no_body_text_and_no_crash(odd_run):
    _, out, _ = odd_run
    reports = read_csv(out / "data" / "reports.csv").set_index("report_id")
    assert reports.loc["menu-only", "n_sentences"] == "0"
    summaries = read_csv(out / "data" / "summaries.csv")
    mine = summaries[summaries["report_id"] == "menu-only"]
    assert len(mine) == 3 and (mine["flags"] == "no_body_text").all()


def test_english_report_is_kept_as_it_is_not_translated(odd_run):
    _, out, _ = odd_run
    assert read_csv(out / "data" / "reports.csv").set_index("report_id").loc["english", "language"] == "en"
    s = read_csv(out / "data" / "sentences.csv")
    mine = s[s["report_id"] == "english"]
    assert (mine["text_en"] == mine["text_vi"]).all() and (mine["lang"] == "en").all()
    assert (mine["flags"] == "kept_english").all() and (mine["model"] == "").all()


def test_html_in_a_report_is_kept_as_text(odd_run):
    _, out, _ = odd_run
    s = read_csv(out / "data" / "sentences.csv")
    assert "<script>alert(1)</script>" in " ".join(s[s["report_id"] == "script"]["text_vi"])


def on_a_terminal(*args: str) -> tuple[int, str, str]:
    """Run the CLI with stderr on a pseudo-terminal, as a user's shell has it: (status, stdout, stderr)."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))  # a 120-column terminal
    proc = subprocess.Popen([sys.executable, "-m", "helpers", *args], stdout=subprocess.PIPE,
                            stderr=slave)
    os.close(slave)
    said = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        said += chunk
    assert proc.stdout is not None  # stdout=PIPE
    out = proc.stdout.read().decode()
    os.close(master)
    return proc.wait(timeout=600), out, said.decode(errors="replace")


def test_progress_is_shown_on_a_terminal_and_a_log_gets_one_line_per_stage(tmp_path):
    args = ("translate", "--seeds", str(SEEDS), "--models", "demo")
    status, out, err = on_a_terminal(*args, "--out", str(tmp_path / "o"), "--memory", str(tmp_path / "tm.sqlite"))
    assert status == 0, err[-2000:]
    assert "translate (opus-mt)" in err and "batch" in err  # the bar, on the terminal
    assert re.search(r"^corpus +5 reports, 184 lines, 122 sentences, 0 inputs rejected +\d+\.\d s$", out,
                     re.MULTILINE), out
    assert re.search(r"^translate +122 sentences, \d+ from memory, \d+ flagged +\d+\.\d s$", out, re.MULTILINE), out
    proc = cli(*args, "--out", str(tmp_path / "p"), "--memory", str(tmp_path / "tm2.sqlite"))  # a log: no bars
    assert proc.returncode == 0 and "batch/s" not in proc.stderr and "translate " in proc.stdout


def test_a_5_mb_input_is_processed_with_bounded_memory(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    body = [ln for p in sorted(SEEDS.glob("*.txt")) for ln in read_source(p).lines if len(ln) > 200]
    lines, size, i = [], 0, 0
    while size < 5_000_000:
        line = f"Phần {i}: " + body[i % len(body)]
        lines += [line, ""]
        size += len(line.encode()) + 2
        i += 1
    lines.pop()  # no blank line at the very end
    (folder / "big.txt").write_text("Báo cáo tổng hợp rất dài\n\n" + "\n".join(lines), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-c", (
            "import resource, sys; from helpers.cli import main; rc = main(sys.argv[1:]); "
            "print('peak_rss_mb', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024); sys.exit(rc)"),
         "corpus", "--seeds", str(folder), "--out", str(tmp_path / "o")],
        capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    peak = int(proc.stdout.split("peak_rss_mb")[1])
    assert peak < 1500
    ledger = read_csv(tmp_path / "o" / "data" / "ledger.csv")
    assert len(ledger) == len(lines) + 2


def _big_folder(tmp_path: Path) -> Path:
    """The shortest seed repeated with numbered variants: enough sentences (and batches) for a run
    to be killed midway."""
    folder = tmp_path / "big"
    folder.mkdir()
    for n in range(8):
        for p in sorted(SEEDS.glob("001_*.txt")):
            text = p.read_text(encoding="utf-8").replace("Hội nghị", f"Hội nghị lần {n + 1}")
            (folder / f"{n}-{p.name}").write_text(text, encoding="utf-8")
    return folder


def _rows(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as con:
            return con.execute("SELECT COUNT(*) FROM memory").fetchone()[0]
    except sqlite3.Error:
        return 0


def _integrity(db: Path) -> str:
    with sqlite3.connect(db) as con:
        return con.execute("PRAGMA integrity_check").fetchone()[0]


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    """The big folder and its translation by a run left alone: what an interrupted run must end with."""
    tmp = tmp_path_factory.mktemp("uninterrupted")
    folder = _big_folder(tmp)
    args = ["--seeds", str(folder), "--models", "demo", "--backend", "transformers"]
    reference = cli("translate", *args, "--out", str(tmp / "ref"), "--memory", str(tmp / "ref.sqlite"))
    assert reference.returncode == 0, reference.stderr[-2000:]
    return args, tmp / "ref" / "data"


INTERRUPTED = "interrupted: what was finished is kept"


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT], ids=["killed", "ctrl-c"])
def test_an_interrupted_run_resumes_and_gives_the_uninterrupted_outputs(tmp_path, uninterrupted, how):
    """A run killed, or stopped with Ctrl-C (one line, exit 130, the memory's queued writes committed), once the
    memory holds some of its work: the next run goes on from there and ends as a run left alone."""
    args, ref_data = uninterrupted
    db = tmp_path / "tm.sqlite"
    run = subprocess.Popen([sys.executable, "-m", "helpers", "translate", *args, "--out", str(tmp_path / "o"),
                            "--memory", str(db)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                           preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # (as a terminal has it)
                           start_new_session=True)
    deadline = time.monotonic() + 300
    while _rows(db) == 0 and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert run.poll() is None, "the run ended before it could be interrupted"
    if how == signal.SIGINT:
        os.killpg(run.pid, how)  # a terminal's Ctrl-C: to every process of the group
    else:
        os.kill(run.pid, how)  # the run's process alone (the kernel's OOM killer)
    _, err = run.communicate(timeout=120)
    if how == signal.SIGINT:
        assert run.returncode == 130 and err.splitlines() == [err.strip()] and err.startswith(INTERRUPTED), err[-2000:]
    kept = _rows(db)
    assert _integrity(db) == "ok" and kept > 0

    again = cli("translate", *args, "--out", str(tmp_path / "o"), "--memory", str(db))
    assert again.returncode == 0 and "Traceback" not in again.stderr
    assert _integrity(db) == "ok"
    ours = read_csv(tmp_path / "o" / "data" / "sentences.csv")
    ref = read_csv(ref_data / "sentences.csv")
    assert ours["text_en"].tolist() == ref["text_en"].tolist()
    import json

    run_json = json.loads((tmp_path / "o" / "data" / "run.json").read_text())
    ref_json = json.loads((ref_data / "run.json").read_text())
    assert run_json["translate"]["generated"] == ref_json["translate"]["generated"] - kept  # resumed where it stopped


def test_two_runs_at_once_on_the_same_cache_both_complete(tmp_path):
    folder = _big_folder(tmp_path)
    db = tmp_path / "shared.sqlite"
    runs = [
        subprocess.Popen([sys.executable, "-m", "helpers", "translate", "--seeds", str(folder), "--models", "demo",
                          "--out", str(tmp_path / f"o{i}"), "--memory", str(db)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for i in range(2)
    ]
    results = [(r.wait(timeout=600), r.stderr.read()) for r in runs]
    for code, err in results:
        assert code == 0 and "Traceback" not in err, err[-2000:]
    assert _integrity(db) == "ok"
    a = read_csv(tmp_path / "o0" / "data" / "sentences.csv")
    b = read_csv(tmp_path / "o1" / "data" / "sentences.csv")
    assert a["text_en"].tolist() == b["text_en"].tolist()


def test_a_failed_write_leaves_the_old_file_and_no_debris(tmp_path, monkeypatch):
    target = tmp_path / "data.csv"
    write_text(target, "old,complete\n")

    def crash(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        write_text(target, "new,half")
    assert target.read_text() == "old,complete\n"
    assert [p.name for p in tmp_path.iterdir()] == ["data.csv"]


def test_shown_escapes_what_a_terminal_would_obey_and_keeps_the_rest():
    from helpers.text.terminal import shown

    assert shown("Báo cáo Đà Nẵng “Q3” 2022.txt") == "Báo cáo Đà Nẵng “Q3” 2022.txt"
    assert shown("\x1b[2J\x1b[31mred\tx\ny\rz\x7f\x9b") == "\\x1b[2J\\x1b[31mred\\tx\\ny\\rz\\x7f\\x9b"
    assert shown("gpj\u202e.exe\u2028") == "gpj\\u202e.exe\\u2028"
    assert shown("caf\udce9.txt") == "caf\ufffd.txt"  # a name's undecodable byte, as os.listdir gives it
    assert shown(Path("/a\x1bb")) == "/a\\x1bb"


def test_a_file_name_with_terminal_codes_is_shown_escaped(tmp_path, capsys):
    from helpers.cli import main

    seeds = tmp_path / "in"
    seeds.mkdir()
    (seeds / "\x1b[2J\x1b[31mred\nline.txt").write_bytes(b"")
    assert main(["corpus", "--seeds", str(seeds), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\\x1b[2J\\x1b[31mred\\nline.txt: empty file" in err
    assert all(line.startswith("error: ") for line in err.splitlines()), err


# ------------------------------------------------------------ the output folder is the project's own

SKIPPED = {".venv", ".git", ".cache", "__pycache__"}  # written by other processes while tests run


def listing(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under `folder` with its size and modification time (what a refused run
    must leave as it was), but the checkout's venv, cache, git and bytecode folders."""
    found = {}
    for where, folders, files in os.walk(folder):
        folders[:] = [d for d in folders if d not in SKIPPED]
        for name in folders + files:
            st = Path(where, name).lstat()
            found[str(Path(where, name).relative_to(folder))] = (st.st_size, st.st_mtime_ns)
    return found


@pytest.mark.parametrize("case", ["checkout", "above the checkout", "SEEDS", "above SEEDS", "files of mine"])
def test_an_out_that_is_not_the_project_s_own_is_refused_and_left_as_it_was(case, tmp_path, capsys):
    from helpers.cli import main

    seeds = tmp_path / "in"
    seeds.mkdir()
    (seeds / "r.txt").write_bytes(LF_SEED.read_bytes())
    mine = tmp_path / "mine"
    for name in ("notebooks/01_corpus.ipynb", "html/index.html", "data/translations/r.txt", "data/ledger.csv", "a.txt"):
        write_text(mine / name, "mine")
    out, watched, why = {
        "checkout": (ROOT, ROOT, "is the project's checkout"),
        "above the checkout": (ROOT.parent, ROOT, "holds the project's checkout"),
        "SEEDS": (seeds, tmp_path, "is the input folder SEEDS"),
        "above SEEDS": (tmp_path, tmp_path, "holds the input folder SEEDS"),
        "files of mine": (mine, tmp_path, "holds files and is not an output of this project"),
    }[case]
    before = listing(watched)
    status = main(["corpus", "--seeds", str(seeds), "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 1 and err.count("\n") == 1 and err.startswith(f"error: OUT={out} ") and why in err, err
    assert listing(watched) == before
    assert not (ROOT.parent / MARKER).exists()


@pytest.mark.slow
@pytest.mark.parametrize("out, said", [("", "error: OUT is empty: name a folder"),
                                       (".", f"error: OUT={ROOT} is the project's checkout")])
def test_make_reports_with_an_empty_or_dot_out_writes_nothing(out, said):
    before = listing(ROOT)
    proc = subprocess.run(["make", "-s", "reports", f"OUT={out}"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 2 and said in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert listing(ROOT) == before


def test_only_files_a_run_recorded_are_removed(tmp_path):
    from helpers.store.files import remove_stale

    html = tmp_path / "html"
    assert remove_stale(tmp_path, "*.html", set()) == []  # a folder outside a marked output: never
    claim_output(tmp_path, SEEDS)
    for name in ("index.html", "one.html", "two.html", "mine.html"):
        write_text(html / name, "<p>page</p>")
    assert remove_stale(html, "*.html", {"index.html", "one.html", "two.html"}) == []  # recorded as the run's
    assert remove_stale(html, "*.html", {"index.html", "one.html"}) == ["two.html"]  # a report since removed
    assert sorted(p.name for p in html.iterdir()) == ["index.html", "mine.html", "one.html"]  # no record here
    # the marker: JSON a reader can scan, a line per folder with the names the runs wrote there
    text = (tmp_path / MARKER).read_text(encoding="utf-8")
    assert json.loads(text)["files"] == {"html": ["index.html", "one.html"]}
    assert '  "html": ["index.html", "one.html"]' in text.splitlines() and text.startswith('{\n "about": ')


@pytest.mark.slow
def test_make_takes_a_folder_name_as_written_and_refuses_seeds_as_out(tmp_path):
    """Quotes, backticks, `$(...)` and make's own `$(shell ...)` in SEEDS (and OUT, MODEL_PACK) reach
    the command as written and run nothing; OUT=<SEEDS> is refused before anything is written."""
    seeds = tmp_path / 'Báo cáo "Q3" `touch hostile` $(touch hostile) $(shell touch hostile)'
    seeds.mkdir()
    (seeds / "r.txt").write_bytes(LF_SEED.read_bytes())
    before = listing(tmp_path)
    proc = subprocess.run(["make", "-s", "reports", f"SEEDS={seeds}", f"OUT={seeds}", f"MODEL_PACK={seeds}"],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 2 and f"error: OUT={seeds} is the input folder SEEDS" in proc.stderr, proc.stderr
    assert listing(tmp_path) == before and not (ROOT / "hostile").exists()


# ------------------------------------------------------------ settings: one line naming the setting

@pytest.mark.parametrize("args, said", [
    (["--generation", "opus-mt.num_beams=2.5"],
     "GENERATION: 'opus-mt.num_beams=2.5': num_beams must be a whole number from 1 to 64"),
    (["--generation", "opus-mt.num_beams=NaN"], "num_beams must be a whole number from 1 to 64"),
    (["--generation", "opus-mt.max_new_tokens_ratio=1e309"], "max_new_tokens_ratio must be a number from 0 to 16"),
    (["--generation", "opus-mt.max_length=-5"], "max_length must be a whole number from 16 to 65536"),
    (["--generation", "opus-mt.piece_tokens=0"], "piece_tokens must be a whole number from 16 to 65536"),
    (["--generation", "opus-mt.redecode=maybe"], "redecode must be true or false"),
    (["--generation", "distilbart.min_length=90 distilbart.max_length=60"],
     "distilbart.min_length=90 is over its max_length"),
    (["--models", "bogus"], "MODELS must be one of auto, real, demo, not 'bogus'"),
    (["--summary-max-sentences", "abc"], "SUMMARY_MAX_SENTENCES must be a whole number, not 'abc'"),
    (["--seeds"], "argument --seeds: expected one argument"),
    (["--no-such-option", "1"], "unrecognized arguments: --no-such-option 1"),
    (["--seeds", str(ROOT / "README.md")], "README.md is a file, not a folder (SEEDS names the folder of the reports)"),
    (["--seeds", "/no/such/folder"], "input folder /no/such/folder does not exist"),
])
def test_a_bad_setting_is_one_line_naming_it_and_exit_1(args, said, tmp_path, capsys):
    from helpers.cli import main

    try:
        status = main(["translate", "--out", str(tmp_path / "o"), *args])
    except SystemExit as stop:  # argparse's own mistakes end the process, as `python -m helpers` does
        status = stop.code
    err = capsys.readouterr().err
    assert status == 1 and err.count("\n") == 1 and err.startswith("error: ") and said in err, err
    assert not (tmp_path / "o").exists()


def test_every_model_s_own_settings_are_within_the_checked_ranges():
    from dataclasses import asdict

    from helpers.models.settings import check
    from helpers.models.registry import MODEL_REGISTRY

    for spec in MODEL_REGISTRY.values():
        for name, value in asdict(spec.generation).items():
            assert value is None or check(name, value) == value, (spec.key, name)
    assert check("num_beams", 4.0) == 4 and check("redecode", 0) is False


@pytest.mark.slow
def test_make_names_the_make_variable_of_a_bad_setting():
    proc = subprocess.run(["make", "-s", "reports", "SUMMARY_MAX_SENTENCES=abc"], cwd=ROOT, capture_output=True,
                          text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "usage:" not in proc.stderr
    assert proc.stderr.splitlines()[0] == "error: SUMMARY_MAX_SENTENCES must be a whole number, not 'abc'"
