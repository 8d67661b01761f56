"""N synthetic reports made from the seeds, for measuring how a run grows with the number of reports.

Each report takes a seed's title line and a shuffled selection of body paragraphs drawn from all
seeds, with its numbers, day-month dates, years and one family name varied, so most sentences
are new to the translation memory (as in a real archive) while the prose stays official
Vietnamese. The same N and seed give the same files.

Usage: python tests/synthetic.py N FOLDER [--seed 0]  (`make bench-scale` and tests/test_engines.py use it)
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ")
_NUMBER = re.compile(r"(?<![\w/.-])\d{1,3}(?:\.\d{3})*(?![\w/-])")
_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{4}))?\b")
_YEAR = re.compile(r"\b(20[12]\d)\b")


def seed_parts() -> tuple[list[str], list[str]]:
    """Title lines and body paragraphs (lines of 80 characters or more) of the seeds."""
    titles, paragraphs = [], []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        titles.append(lines[0])
        paragraphs += [line for line in lines[1:] if len(line) >= 80]
    return titles, paragraphs


def vary(text: str, rng: random.Random) -> str:
    """The text with its numbers, dates, years and family names changed, consistently within it."""
    text = _DATE.sub(lambda m: f"{rng.randint(1, 28)}/{rng.randint(1, 12)}"
                     + (f"/{rng.randint(2015, 2024)}" if m.group(3) else ""), text)
    text = _YEAR.sub(lambda m: str(rng.randint(2015, 2024)), text)
    text = _NUMBER.sub(lambda m: f"{rng.randint(2, 9999):,}".replace(",", "."), text)
    surname = rng.choice(SURNAMES)
    return re.sub("|".join(SURNAMES), surname, text)


def write_reports(n: int, folder: Path, seed: int = 0) -> list[Path]:
    """Write N synthetic reports into `folder` (created); return their paths."""
    rng = random.Random(seed)
    titles, paragraphs = seed_parts()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for i in range(n):
        body = rng.sample(paragraphs, k=min(len(paragraphs), rng.randint(4, 9)))
        lines = [vary(rng.choice(titles), rng), ""] + [line for p in body for line in (vary(p, rng), "")]
        path = folder / f"synthetic_{i:05d}.txt"
        path.write_text("\n".join(lines), encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(f"wrote {len(write_reports(args.n, args.folder, args.seed))} reports to {args.folder}")


if __name__ == "__main__":
    main()
