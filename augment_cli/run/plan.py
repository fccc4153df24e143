"""make_plan(): check everything, count the sources, name every output.

Nothing is written and, for a large tree, nothing per file is kept: the plan
holds counts per label, and `iter_jobs` walks SRC again to yield one Job at a
time, so memory does not grow with the dataset. (A recipe that mixes files
of a label keeps that label's file list: mixing needs it.)
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from augment_cli import storage
from augment_cli.annotations.refusals import check_annotated
from augment_cli.errors import UsageError
from augment_cli.layouts import Layout, Scan, check_source, find, get, target_of
from augment_cli.layouts.coco_explicit import read_source
from augment_cli.layouts.splits import check_split_found, held_out, read_root
from augment_cli.modalities import output_extension
from augment_cli.outdir.claim import OWN_FILES
from augment_cli.outdir.manifest import ErrorRow
from augment_cli.outdir.naming import claim_key, folds_case
from augment_cli.recipe import Recipe, load_recipe
from augment_cli.recipe.checker import did_you_mean
from augment_cli.run.balance import MAX_COPIES_PER_FILE, CopyPlan, copies_per_sample
from augment_cli.run.jobs import Job
from augment_cli.run.outcomes import duplicate_warning
from augment_cli.run.partners import label_files, label_groups, uses_partners

# claim(source, output names) -> the source already holding one of the names
# (as DIR compares them: outdir/naming.py), or None
Claim = Callable[[str, list[str]], "str | None"]


@dataclass
class Plan:
    """What a run will do; `--dry-run` prints this and stops."""

    source: Path
    out: Path
    recipe: Recipe
    seed: int
    include_originals: bool
    follow_links: bool
    scan: Scan
    layout_name: str
    counts: Counter = field(default_factory=Counter)  # files per label that have steps
    skipped: Counter = field(default_factory=Counter)
    refused: list[ErrorRow] = field(default_factory=list)
    copies: CopyPlan | None = None  # copies per file, per label
    warnings: list[str] = field(default_factory=list)
    partners: dict = field(default_factory=dict)  # (label, modality) -> paths, mixing only
    distinct: bool = True  # redraw duplicate copies (run/distinct.py); False: --allow-duplicates
    split: str | None = None  # the split asked for (--split); layouts/splits.py, tables
    notes: list[str] = field(default_factory=list)  # what the summary says besides warnings
    annotations: str | None = None  # --annotations FILE, relative to SRC (layouts/coco_explicit.py)
    # A URL DIR (storage/workdir.py): `out` is its local working copy, jobs write to `job_out`.
    job_out: str = ""
    storage: tuple[tuple[str, str], ...] = ()  # --storage-option pairs for the jobs (URL SRC or DIR)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def files_per_label(self) -> dict[str, int]:
        return dict(sorted(self.counts.items()))

    def outputs_per_label(self) -> dict[str, int]:
        assert self.copies is not None, "make_plan decides copies before anything asks"
        return {label: self.counts[label] if self.keeps_as_is(label)
                else self.copies.outputs(label, self.include_originals) for label in sorted(self.counts)}

    @property
    def layout(self) -> Layout:
        return get(self.layout_name, self.annotations)

    def keeps_as_is(self, label: str) -> bool:
        """A held-out split of an annotated dataset (val, test): copied, not expanded."""
        return self.layout.annotated and held_out(label, self.split)

    def iter_work(self, claim: Claim) -> Iterator[Job | ErrorRow]:
        """One Job per source in walk order, or an ErrorRow for a source that
        cannot be planned (its names collide, or it appeared mid-run)."""
        recipe, least = self.recipe, 0 if self.include_originals else 1
        assert self.copies is not None, "make_plan decides copies before anything asks"
        per_file = {label: iter(counts) for label, counts in self.copies.per_file.items()}
        layout, target = self.layout, target_of(self.layout_name)
        for sample in layout.walk(self.source, self.follow_links, Scan()):
            if not recipe.steps_for(sample.modality):
                continue
            first, count = least, next(per_file.get(sample.label, iter(())), None)
            if count is None:  # SRC changed between the counting walk and this one
                yield ErrorRow(sample.relative, sample.label, sample.modality,
                               "appeared in the source folder during the run; run again")
                continue
            extension = output_extension(sample.relative, recipe.output)
            if self.keeps_as_is(sample.label):
                first, count = 0, 0
            outputs = tuple((k, layout.output_name(sample, k, extension)) for k in range(first, count + 1))
            job = Job(str(self.source), self.job_out or str(self.out), sample, outputs, recipe, self.seed,
                      self.partners.get((sample.label, sample.modality), ()), target, self.distinct,
                      self.storage)
            holder = claim(sample.relative, list(job.names()))
            if holder is not None:
                yield ErrorRow(sample.relative, sample.label, sample.modality,
                               f"its output names collide with those of {holder}; rename one")
                continue
            yield job


def count_work(plan: Plan, owns: Callable[[str], bool] | None = None) -> tuple[int, int, list[ErrorRow]]:
    """Sources to do, outputs they make, and the refused sources (for a printed
    plan); `owns` (a shard's test of a source's relative path) keeps only its part."""
    files = outputs = 0
    refused: list[ErrorRow] = []
    for item in _owned(plan, owns):
        if isinstance(item, ErrorRow):
            refused.append(item)
        else:
            files, outputs = files + 1, outputs + len(item.outputs)
    return files, outputs, refused


def output_names(plan: Plan, owns: Callable[[str], bool] | None = None) -> Iterator[str]:
    """Every output name of a plan (or of the part `owns` keeps) in walk order,
    one at a time (a printed plan of millions of names is streamed, never held)."""
    for item in _owned(plan, owns):
        if isinstance(item, Job):
            yield from (name for _, name in item.outputs)


def outputs_per_label(plan: Plan, owns: Callable[[str], bool]) -> dict[str, tuple[int, int]]:
    """(files, outputs) per label of the part `owns` keeps (a shard's printed plan)."""
    counts: dict[str, tuple[int, int]] = {}
    for item in _owned(plan, owns):
        if isinstance(item, Job):
            files, outputs = counts.get(item.sample.label, (0, 0))
            counts[item.sample.label] = (files + 1, outputs + len(item.outputs))
    return counts


def _owned(plan: Plan, owns: Callable[[str], bool] | None) -> Iterator[Job | ErrorRow]:
    # Every source claims its names (collisions are refused as the real run refuses them).
    for item in plan.iter_work(scratch_claim(plan.out)):
        if owns is None or owns(item.source if isinstance(item, ErrorRow) else item.sample.relative):
            yield item


def scratch_claim(out: Path) -> Claim:
    """A Claim for a plan that is only printed (--dry-run): the names taken go
    to a private temporary SQLite database, which spills to disk, so memory
    stays flat however many outputs the plan names. Names are compared as the
    file system DIR would be on compares them (outdir/naming.py). Each call
    starts empty, so two passes over a plan refuse the same sources."""
    db = sqlite3.connect("")
    db.execute("CREATE TABLE taken (key TEXT PRIMARY KEY, source TEXT)")
    folds = folds_case(out)

    def claim(source: str, names: list[str]) -> str | None:
        keys = [claim_key(name, folds) for name in names]
        for key in keys:
            holder = db.execute("SELECT source FROM taken WHERE key = ?", (key,)).fetchone()
            if holder is not None:
                return holder[0]
        db.executemany("INSERT INTO taken VALUES (?, ?)", ((key, source) for key in keys))
        return None

    return claim


def make_plan(*, source: str | Path | None, recipe: str | Path | Recipe, out: str | Path, copies: int,
              seed: int = 0, include_originals: bool = False, follow_links: bool = False,
              balance: bool = False, max_copies: int | None = None, layout: str | None = None,
              allow_many_copies: bool = False, allow_duplicates: bool = False,
              split: str | None = None, require_work: bool = True,
              annotations: str | Path | None = None) -> Plan:
    """Check everything and count what will be made; writes nothing.

    A copy that repeats its source or an earlier copy is redrawn unless
    `allow_duplicates` (run/distinct.py); a recipe that cannot make as many
    distinct copies as asked is warned about (run/outcomes.py). A class-folder
    SRC split into train/val/test has only one split expanded: `split`, else
    the training split (layouts/splits.py). A SRC with no file the recipe
    applies to is a UsageError naming what was found, unless not
    `require_work` (a re-run whose SRC emptied: the removal guard speaks).

    `layout` names how SRC is laid out (a key of layouts.LAYOUTS); None detects it.
    `annotations`: a COCO JSON to read (--annotations FILE; SRC may then be
    None: FILE's folder). More than MAX_COPIES_PER_FILE copies of one file is
    refused unless `allow_many_copies`."""
    remote_source = source is not None and not isinstance(source, str | Path)  # storage.location.Remote
    if remote_source:  # storage/runs.py checked it, its layout and --annotations (made relative to it)
        # A Remote stands where a folder does: the walks list it (layouts/tree.py).
        source, explicit = cast(Path, source), None if annotations is None else str(annotations)
    else:
        source, layout, explicit = read_source(source, annotations, layout)  # --annotations FILE: COCO
    out = Path(out)
    _check_paths(source, out)
    if copies < 1 or (max_copies is not None and max_copies < 1):
        raise UsageError("--copies and --max-copies must be at least 1")
    recipe = recipe if isinstance(recipe, Recipe) else load_recipe(recipe)
    if balance and recipe.copies:
        raise UsageError(f"--balance and the [copies] table of {recipe.path} both set copies per label",
                         hint="use one: drop --balance, or the [copies] table")
    limit = None if allow_many_copies else MAX_COPIES_PER_FILE
    _check_copies(recipe, copies, max_copies, limit)  # before the walk: a typo fails at once
    layout_name = find(source, layout)  # a URL SRC's folders are listed (storage/lookups.py)
    layout_name, chosen = read_root(source, layout_name, split, explicit=layout is not None)
    source, notes = chosen.root, [chosen.note] if chosen.note else []
    plan = Plan(source, out, recipe, seed, include_originals, follow_links, Scan(), layout_name,
                distinct=not allow_duplicates, split=split, notes=notes, annotations=explicit)
    plan.job_out, plan.storage = storage_roots(source, out, recipe)
    if plan.layout.annotated:  # a transform annotations cannot follow: exit 2 before any output
        check_annotated(recipe, layout_name)
    mixing = uses_partners(recipe)
    mixed, found = [], set()
    for sample in plan.layout.walk(source, follow_links, plan.scan):
        if not recipe.steps_for(sample.modality):
            plan.skipped[f"no [[{sample.modality}]] steps in the recipe"] += 1
            continue
        plan.counts[sample.label] += 1
        found.add(sample.modality)
        if mixing:
            mixed.append(sample)
    plan.skipped.update(plan.scan.skipped)
    if plan.layout.annotated and (note := check_split_found(plan.counts, split, layout_name)):
        plan.notes.append(note)
    _check_labels(plan)
    plan.refused += [ErrorRow(*refused) for refused in plan.scan.refused]
    if require_work:
        check_work(plan)
    plan.partners = label_files(label_groups(mixed)) if mixing else {}
    plan.copies = _copy_plan(plan, copies, include_originals, balance, max_copies)
    if balance:
        _check_balanced(plan.copies, limit)
    if plan.distinct:
        _warn_duplicates(plan, found)
    return plan


_NOTHING_HINT = ("expand reads SRC/<label>/.../<file> (augment stats SRC shows what it finds); "
                 "give the recipe steps for the modalities SRC holds")


def check_work(plan: Plan) -> None:
    """UsageError when no file of SRC matched the recipe: a run that would do
    nothing must fail CI, not print "wrote 0 copies" and pass."""
    if not plan.counts and not plan.refused:
        raise UsageError(nothing_to_expand(plan), hint=_NOTHING_HINT)


def nothing_to_expand(plan: Plan) -> str:
    """One line for a SRC where no file matched the recipe: what was found, and why none applied."""
    no_steps = {reason: n for reason, n in plan.skipped.items() if reason.startswith("no [[")}
    found = [f"{n} {reason[5:reason.index(']]')]}" for reason, n in sorted(no_steps.items())]
    unlabelled = len(plan.scan.unlabelled)
    other = sum(plan.skipped.values()) - sum(no_steps.values()) - unlabelled
    total = sum(no_steps.values()) + unlabelled + other
    parts = found + [f"{unlabelled} unlabelled (directly in the source folder)"] * bool(unlabelled)
    parts += [f"{other} skipped (not media, hidden, links)"] * bool(other)
    why = []
    if no_steps:
        has = ", ".join(f"[[{m}]]" for m in plan.recipe.modalities) or "no"
        why.append(f"{plan.recipe.path} has {has} steps")
    if unlabelled:
        why.append("files directly in the source folder have no label folder")
    held = f"{total} file{'s' * (total != 1)} ({', '.join(parts)})" if total else "no files"
    return f"nothing to expand in {plan.source}: it holds {held}" + (f"; {'; '.join(why)}" if why else "")


def _warn_duplicates(plan: Plan, modalities: set[str]) -> None:
    """Warn when the recipe cannot make the most copies any file gets distinct."""
    assert plan.copies is not None
    most = max((counts.most for counts in plan.copies.per_file.values()), default=0)
    for modality in sorted(modalities):
        warning = duplicate_warning(plan.recipe, modality, most)
        if warning:
            plan.warnings.append(warning)


def _check_copies(recipe: Recipe, copies: int, max_copies: int | None, limit: int | None) -> None:
    """UsageError for --copies or a [copies] value over the per-file limit."""
    if limit is None:
        return
    if min(copies, max_copies or copies) > limit:
        raise UsageError(f"--copies {copies:,} is over the limit of {limit:,} copies per file",
                         hint=_LIFT)
    for label, wanted in recipe.copies:
        if min(wanted, max_copies or wanted) > limit:
            raise UsageError(f"[copies] in {recipe.path}: label {label!r} = {wanted:,} is over the "
                             f"limit of {limit:,} copies per file", hint=_LIFT)


def _check_balanced(copies: CopyPlan, limit: int | None) -> None:
    """UsageError when --balance would give some file more copies than the limit."""
    if limit is None:
        return
    for label, counts in copies.per_file.items():
        if counts.most > limit:
            raise UsageError(f"--balance would give the files of label {label!r} up to {counts.most:,} "
                             f"copies each, over the limit of {limit:,} copies per file",
                             hint=f"cap them with --max-copies {limit} (the label then stays short), "
                                  "or " + _LIFT)


_LIFT = "pass --allow-many-copies to lift the limit (every copy is written to disk)"


def _copy_plan(plan: Plan, copies: int, include_originals: bool, balance: bool,
               max_copies: int | None) -> CopyPlan:
    """Copies per file for each label, and the warnings a user should see."""
    wanted = plan.recipe.copies_per_label()
    for label in sorted(set(wanted) - set(plan.counts)):  # a typo would silently give that label --copies
        raise UsageError(f"[copies] in {plan.recipe.path} names label {label!r}"
                         f"{did_you_mean(label, sorted(plan.counts))}, which has no files in {plan.source}",
                         hint=f"its labels: {', '.join(sorted(plan.counts))}")
    if max_copies is not None and not balance:
        most = max([copies, *wanted.values()])
        plan.warnings.append(
            f"--max-copies {max_copies} without --balance only caps the copies per file: "
            + (f"files asked for more than {max_copies} get {max_copies}" if most > max_copies
               else "no file is asked for more, so it changes nothing"))
    result = copies_per_sample(dict(sorted(plan.counts.items())), copies, include_originals=include_originals,
                               max_copies=max_copies, balance=balance, per_label=wanted)
    for label, missing in result.short.items():
        plan.warnings.append(f"label {label!r} stays {missing} files short of {result.target}: "
                             f"--max-copies {max_copies} caps its files")
    return result


def _check_labels(plan: Plan) -> None:
    """A label folder named like one of DIR's own files (manifest.csv, the
    layout's dataset files) would make DIR/<name> a folder that no run can
    write the file over. Compared casefolded, as a case-insensitive DIR would."""
    own = {name.casefold(): name for name in (*OWN_FILES, *plan.layout.dataset_files())}
    for label in sorted(plan.counts):
        if label.casefold() in own:
            raise UsageError(f"label folder {label!r} in {plan.source} has the name of augment's own "
                             f"{own[label.casefold()]} in --out",
                             hint="rename that folder: every run writes DIR/"
                                  f"{own[label.casefold()]} itself")


def storage_roots(source: Any, out: Path,
                  recipe: Recipe | None = None) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The URL jobs write to (a URL DIR's, else "") and the storage options jobs carry
    (for a URL SRC or DIR, or the recipe's side files in object storage)."""
    mirror = storage.mirror_of(out)
    if mirror is not None:
        return mirror.location.url, mirror.location.options
    if recipe is not None and recipe.side_objects and not getattr(source, "options", ()):
        from augment_cli.storage import sidefiles

        return "", sidefiles.OPTIONS
    return "", getattr(source, "options", ())


def _check_paths(source: Any, out: Path) -> None:
    if not isinstance(source, Path):  # a URL SRC: storage/runs.py checked it
        if out.exists() and not out.is_dir():
            raise UsageError(f"--out {out} exists and is not a folder")
        return
    check_source(source)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} exists and is not a folder")
    real_source, real_out = source.resolve(), out.resolve()
    if real_out == real_source or real_source in real_out.parents:
        raise UsageError(f"--out {out} is inside the source folder {source}",
                         hint="the outputs would be read as sources on the next run; "
                              "choose a folder outside it")
    if real_out in real_source.parents:
        # A label named like SRC's own folder would write outputs into SRC.
        raise UsageError(f"--out {out} contains the source folder {source}",
                         hint="outputs could land inside SRC and be read as sources on the next "
                              "run; choose a folder beside SRC, not around it")
