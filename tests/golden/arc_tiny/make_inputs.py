"""Writes the synthetic ARC task files in inputs/ (run once; the outputs are committed).

Random grids (not ARC data) that exercise the builder's corner cases: key order "test" before
"train", a 30x30 grid (no room to translate), 1x1 grids, an all-black square task (every candidate
is a duplicate: a group of 1), a symmetric two-colour task (duplicates by symmetry), a task with a
single demonstration pair (the anchored-example draw takes no random number), a test set with two
test inputs, and a hidden test set without a solutions file.
"""
import json
import random

rng = random.Random(1234)


def grid(rows, cols, colours):
    return [[rng.choice(colours) for _ in range(cols)] for _ in range(rows)]


def pair(shape_in, shape_out, colours):
    return {"input": grid(*shape_in, colours), "output": grid(*shape_out, colours)}


symmetric = [[1, 2, 1], [2, 1, 2], [1, 2, 1]]
synth_a = {
    "a_plain": {"train": [pair((3, 4), (4, 3), range(10)), pair((5, 2), (2, 5), range(10))],
                "test": [pair((2, 2), (3, 3), range(10))]},
    "zz_black": {"train": [{"input": [[0, 0], [0, 0]], "output": [[0, 0], [0, 0]]}],
                 "test": [{"input": [[0]], "output": [[0]]}]},
    "m_symmetric": {"train": [{"input": symmetric, "output": symmetric}],
                    "test": [{"input": [[1]], "output": [[2]]}]},
    "b_testfirst": {"test": [{"input": [[3]], "output": [[4]]}],
                    "train": [pair((30, 30), (30, 30), [0, 5, 6]), pair((1, 1), (1, 1), [7])]},
}
synth_b = {
    "evalOne": {"train": [pair((4, 6), (6, 4), [0, 1, 2, 3])], "test": [{"input": grid(3, 3, [1, 2])}]},
    "evalTwo": {"train": [pair((2, 3), (2, 3), range(10)), pair((3, 2), (3, 2), range(10))],
                "test": [{"input": grid(2, 2, [4, 5])}, {"input": grid(1, 5, [6, 9])}]},
}
synth_b_solutions = {"evalOne": [grid(3, 3, [3])], "evalTwo": [grid(2, 2, [8]), grid(5, 1, [0, 7])]}
synth_c = {"hidden1": {"train": [pair((2, 2), (2, 2), [1, 2])], "test": [{"input": grid(2, 2, [1, 2])}]}}



def challenges(tasks):
    """The tasks without their test outputs, keeping each task's key order."""
    return {tid: {key: ([{"input": p["input"]} for p in pairs] if key == "test" else pairs)
                  for key, pairs in task.items()} for tid, task in tasks.items()}


files = {
    "synth_a_challenges": challenges(synth_a),
    "synth_a_solutions": {tid: [p["output"] for p in task["test"]] for tid, task in synth_a.items()},
    "synth_b_challenges": synth_b,
    "synth_b_solutions": synth_b_solutions,
    "synth_c_challenges": synth_c,  # no solutions file: a hidden test set
}
for name, data in files.items():
    with open(f"inputs/tiny_{name}.json", "w") as f:
        json.dump(data, f)
