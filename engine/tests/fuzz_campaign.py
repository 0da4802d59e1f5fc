"""A longer fuzzing campaign of the readers than CI's bounded test.

    python engine/tests/fuzz_campaign.py --minutes 10 [--seed 1] [--out DIR]

Mutates the fixtures of ``files/`` as ``test_fuzz.py`` does, with a seeded
``random.Random``, until the time is up; checks every input with
``fuzzing.check`` (a preview or a one-line ``EngineError``, nothing else)
and writes each crashing input to ``--out`` (default: a temporary folder)
with its traceback, and the slowest input.  Prints the inputs tried, their outcomes and the crashes.
"""

import argparse
import collections
import random
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import fuzzing  # noqa: E402


def _operations(rng):
    return [
        (
            rng.choice(fuzzing.MUTATIONS),
            rng.random(),
            rng.randrange(1 << 16),
            rng.randbytes(rng.randrange(65)),
        )
        for _ in range(rng.randrange(1, 8))
    ]


def _input(rng):
    names = sorted(fuzzing.FIXTURES)
    kind = rng.random()
    filename = rng.choice(fuzzing.FILENAMES)
    if kind < 0.1:
        return "random", rng.randbytes(rng.randrange(4096)), filename
    if kind < 0.5:
        other = fuzzing.FIXTURES[rng.choice(names)]
        data = fuzzing.mutate(fuzzing.FIXTURES[rng.choice(names)], _operations(rng), other)
        return "mutated", data, filename
    if kind < 0.9:
        name = rng.choice(fuzzing.WORKBOOKS)
        data = fuzzing.mutate_workbook(
            fuzzing.FIXTURES[name], rng.randrange(50), _operations(rng), rng.random() < 0.5
        )
        return "workbook", data, filename
    alphabet = 'ab1,;\t"\r\n \u00e9\u200b=é'
    text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(600)))
    encoding = rng.choice(["utf-8", "utf-16", "cp1252", "utf-8-sig"])
    data = ("Student_Number,First_Name,Last_Name\n" + text).encode(encoding, "replace")
    return "text", data, "export.csv"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="fuzz-"))
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    roster = fuzzing.roster()
    outcomes, crashes, slowest = collections.Counter(), collections.Counter(), 0.0
    start = time.monotonic()
    end = start + args.minutes * 60
    tried = 0
    while time.monotonic() < end:
        kind, data, filename = _input(rng)
        tried += 1
        began = time.process_time()
        try:
            outcomes[(kind, fuzzing.check(data, filename, roster))] += 1
        except Exception as error:
            signature = f"{type(error).__name__}: {str(error)[:80]}"
            crashes[signature] += 1
            if crashes[signature] == 1:
                stem = out / f"crash-{len(crashes)}"
                Path(f"{stem}-{filename}").write_bytes(data)
                Path(f"{stem}.txt").write_text(traceback.format_exc())
        took = time.process_time() - began
        if took > slowest:
            slowest = took
            Path(out / f"slowest-{filename}").write_bytes(data)
    seconds = time.monotonic() - start
    print(
        f"inputs tried: {tried:,} in {seconds:,.0f} s ({tried / seconds:,.0f}/s), seed {args.seed}"
    )
    print(f"slowest input: {slowest:.3f} s of CPU (kept as {out}/slowest-*)")
    for (kind, outcome), count in sorted(outcomes.items()):
        print(f"  {kind:<9} {outcome:<8} {count:>9,}")
    print(f"crashes: {sum(crashes.values())} ({len(crashes)} distinct), inputs in {out}")
    for signature, count in crashes.most_common():
        print(f"  {count:>6} x {signature}")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
