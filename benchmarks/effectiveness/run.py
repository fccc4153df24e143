"""Does augmenting help? Fixed small models on originals vs originals + augment's copies.

    python3 benchmarks/effectiveness/run.py [--quick] [--only DATASET ...] [--jobs N]

For each dataset, training size and seed, the same model (same initial
weights, same batch order, same number of optimisation steps) is trained
twice: on the training originals, and on the originals plus the copies that
`augment expand --recipe R --copies N --seed S` made of the training split
(written as class folders; the test split is never augmented). The table
gives mean accuracies, the paired delta with its 95 % t interval over seeds,
wins/ties/losses, and the label-preservation rate: the share of copies that
the originals-only model assigns to their source's label. Runs inside
benchmarks/.venv (torch, scikit-learn: benchmark-only dependencies).

Every augment run comes first, once per (training set, recipe); then the
units of work (per training set: one for the originals-only models, one per
recipe for the augmented ones; experiment.py) train in --jobs processes of
one thread each. A unit's seed is its training set's, and the table is put
together by unit, not by finishing order, so it is the same for any --jobs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import benchenv  # noqa: E402
import jobs  # noqa: E402

RECIPES = benchenv.REPO / "recipes"
RESULTS = benchenv.REPO / "benchmarks" / "results" / "effectiveness.md"


@dataclass(frozen=True)
class Plan:
    dataset: str
    sizes: tuple[int | None, ...]   # per class (images, audio) or in total (text); None = whole pool
    recipes: tuple[str, ...]
    copies: int
    seeds: tuple[int, ...]          # per size; audio: runs (held-out speaker = seed mod 6); text: folds run
    folds: int = 0                  # text: the stratified partition (fold s is seed s's test set)


# Ten seeds at the smallest size, where the targets are set (five left intervals too wide
# to settle anything); text is 10-fold: 450 training rows, near the EDA paper's 500, and
# 16 copies, its advice for ~500 sentences (eda.toml's header).
FULL = (
    Plan("digits", (10, 50), ("digits-and-text-images", "light", "heavy"), 4, (10, 5)),
    Plan("sign-digits", (10, None), ("light", "photos", "heavy"), 4, (10, 5)),
    Plan("spoken-digits", (10, None), ("speech", "audio"), 4, (12, 6)),
    Plan("trec6", (None,), ("eda",), 16, (10,), folds=10),
    Plan("sst2", (None,), ("eda",), 16, (10,), folds=10),
)
QUICK = (
    Plan("digits", (10,), ("digits-and-text-images",), 4, (3,)),
    Plan("sign-digits", (10,), ("light",), 4, (3,)),
    Plan("spoken-digits", (10,), ("speech",), 4, (3,)),
    Plan("trec6", (None,), ("eda",), 16, (3,), folds=10),
    Plan("sst2", (None,), ("eda",), 16, (3,), folds=10),
)
# Text: 800 steps of 32 let the augmented arm (450 rows + 7,200 copies) see each copy about
# three times; at 300 it saw each about once and could not learn from them.
STEPS = {"image": 400, "audio": 400, "text": 800}
# --quick is a smoke test of the whole pipeline (and a first look at the direction), not a
# measurement to quote: half the steps keep it near five minutes.
QUICK_STEPS = {modality: steps // 2 for modality, steps in STEPS.items()}


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="smallest size, one recipe each, 3 seeds, half the steps")
    parser.add_argument("--only", nargs="*", default=None, help="dataset names to run")
    parser.add_argument("--smallest", action="store_true",
                        help="every recipe, smallest training size only (where the targets are set)")
    parser.add_argument("--recipes", nargs="*", default=None, help="recipe names to run (of the plan's)")
    parser.add_argument("--seeds", type=int, default=None,
                        help="seeds (text: folds) per size instead of the plan's")
    parser.add_argument("--jobs", type=int, default=None,
                        help="worker processes that train models, one thread each (default: the CPUs)")
    parser.add_argument("--workers", type=int, default=1,
                        help="augment expand --workers; jobs // workers expansions run at a time")
    parser.add_argument("--realdata", type=Path, default=None,
                        help="the shared realdata folder (default: ../shared/realdata beside the checkout)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the markdown table goes")
    args = parser.parse_args()
    args.jobs = jobs.cpus() if args.jobs is None else args.jobs
    for name in ("jobs", "workers"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1, not {getattr(args, name)}")
    return args


def main() -> None:
    benchenv.ensure()
    args = parse()
    jobs.one_thread()  # before numpy and torch load: every worker and augment run inherits it
    import experiment
    import train
    from datasets import REALDATA, available
    from report import markdown

    started = time.monotonic()
    found, skipped = available(args.realdata or REALDATA)
    for line in skipped:
        print(line, flush=True)
    steps = QUICK_STEPS if args.quick else STEPS
    by_name = {d.name: d for d in found}
    groups, units, notes = [], [], list(skipped)
    with tempfile.TemporaryDirectory(prefix="augment-effect-") as work:
        expansions = experiment.Expansions(Path(work), RECIPES)
        for plan in selected(args):
            if plan.dataset in by_name:
                dataset = by_name[plan.dataset]
                found_groups, found_units, found_notes = experiment.plan_units(
                    dataset, plan, steps[dataset.modality], expansions)
                groups, units, notes = groups + found_groups, units + found_units, notes + found_notes
        expand_all(expansions.all, args.workers, args.jobs)
        print(f"training: {len(units)} units in {min(args.jobs, len(units))} job(s)", flush=True)
        outcomes = jobs.run(train.run_unit, units, args.jobs, start=train.start_worker,
                            done=progress(units))
    rows = experiment.rows(groups, units, outcomes)
    minutes = (time.monotonic() - started) / 60
    command = "python3 benchmarks/effectiveness/run.py " + " ".join(sys.argv[1:])
    text = markdown(rows, notes, command, minutes, benchenv.machine(),
                    benchenv.versions(("torch", "scikit-learn", "numpy", "librosa")))
    print("\n" + text, flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({minutes:.1f} min)")


def selected(args: argparse.Namespace) -> list[Plan]:
    plans = [p for p in (QUICK if args.quick else FULL) if args.only is None or p.dataset in args.only]
    return [replace(p, sizes=p.sizes[:1] if args.smallest else p.sizes,
                    seeds=tuple(args.seeds or n for n in p.seeds)[:1 if args.smallest else None],
                    recipes=tuple(r for r in p.recipes if args.recipes is None or r in args.recipes))
            for p in plans]


def expand_all(expansions: list, workers: int, cores: int) -> None:
    """Every augment run, before any training: `cores // workers` at a time, so augment
    and the models never compete for the cores."""
    from concurrent.futures import ThreadPoolExecutor

    from expand import expand

    def timed(e) -> tuple[str, float]:
        began = time.monotonic()
        expand(list(e.train), e.recipe, e.copies, e.seed, e.folder, workers)
        return e.dataset, time.monotonic() - began

    at_once = max(1, cores // workers)
    started = time.monotonic()
    print(f"expanding: {len(expansions)} augment runs, {at_once} at a time, --workers {workers}", flush=True)
    per_dataset: dict[str, float] = {}
    with ThreadPoolExecutor(at_once) as pool:
        for dataset, seconds in pool.map(timed, expansions):
            per_dataset[dataset] = per_dataset.get(dataset, 0.0) + seconds
    each = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in per_dataset.items())
    print(f"expanded in {time.monotonic() - started:.0f} s" + (f" ({each} of augment runs)" if each else ""),
          flush=True)


def progress(units: list):
    """Prints each finished unit (in finishing order: the table is ordered by unit)."""
    finished = [0]

    def done(position: int, outcome) -> None:
        unit = units[position]
        finished[0] += 1
        hits = ", ".join(f"{m} {n}/{outcome.tested}" for m, n in outcome.hits.items())
        kept = "".join(f"; {r}/{m} {p:.0f} % kept" for (r, m), p in outcome.preserved.items())
        print(f"  [{finished[0]}/{len(units)}] {unit.name} ({len(unit.split.train)} train): "
              f"{outcome.seconds:.0f} s; {hits}{kept}", flush=True)

    return done


if __name__ == "__main__":
    main()
