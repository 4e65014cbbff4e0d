#!/usr/bin/python3
"""Writes the seed corpus of the fuzz targets (tests/fuzz/corpus/<target>/) from small files of the
tree and of the reference fixtures. Run from the workspace root:
    /usr/bin/python3 tests/fuzz/make_seeds.py [FIXTURES_DIR]   (default /work/shared/fixtures)
The seeds are committed; rerunning rewrites them (pickle seeds need Debian's python3-torch)."""
import collections
import glob
import io
import json
import os
import struct
import sys
import zipfile

FIXTURES = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/fixtures"
OUT = "tests/fuzz/corpus"


def put(target, name, data):
    os.makedirs(os.path.join(OUT, target), exist_ok=True)
    with open(os.path.join(OUT, target, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def compact(value):
    return json.dumps(value, separators=(",", ":"))


# ARC tasks: the three smallest tasks of the shipped sample, in both layouts, and solutions.
with open("third_party/arc_sample/arc-agi_training2_challenges.json") as f:
    challenges = json.load(f)
with open("third_party/arc_sample/arc-agi_training2_solutions.json") as f:
    solutions = json.load(f)
small = sorted(challenges, key=lambda k: len(compact(challenges[k])))[:3]
for i, task_id in enumerate(small):
    put("arc_task", "combined_%d.json" % i, json.dumps({task_id: challenges[task_id]}, indent=1))
    put("arc_task", "single_%d.json" % i, compact(challenges[task_id]))
put("arc_task", "solutions.json", compact({"a": [[[1, 2], [3, 4]]], "b": [[[0]], [[9, 9]]]}))
put("arc_task", "test_first.json",
    compact({"x": {"test": [{"output": [[1]], "input": [[2]]}], "train": []}}))

# Kaggle submissions.
put("kaggle_submission", "two_tasks.json", compact({
    small[0]: [{"attempt_1": [[1, 2], [3, 4]], "attempt_2": [[0]]}],
    small[1]: [{"attempt_1": [[5]], "attempt_2": [[6]]}, {"attempt_1": [[7]], "attempt_2": [[8]]}],
}) + "\n")
put("kaggle_submission", "one_attempt.json", compact({"t": [{"attempt_1": [[0, 0, 0]]}]}))
put("kaggle_submission", "empty.json", "{}")

# .npy: the golden files of the npy tests (all small).
for path in sorted(glob.glob("tests/golden/numpy_npy/*.npy")):
    if os.path.getsize(path) <= 1024:
        put("npy", os.path.basename(path), open(path, "rb").read())

# dataset.json as the reference writes it, and variants.
reference = {"pad_id": 0, "ignore_label_id": 0, "blank_identifier_id": 0, "vocab_size": 12,
             "seq_len": 900, "num_puzzle_identifiers": 14079, "total_groups": 1280,
             "mean_puzzle_examples": 4.353956527915897, "total_puzzles": 14078, "sets": ["all"]}
put("dataset_metadata", "arc_train.json", json.dumps(reference))
old = dict(reference, ignore_label_id=None, sets=["all", "extra"])
del old["total_puzzles"]
put("dataset_metadata", "no_total_puzzles.json", json.dumps(old))
put("dataset_metadata", "unicode.json", json.dumps({"s": "\u00e9\ud83d\ude00", "f": [1e-05, 1e16, 0.1]}))

# Experiments: the shipped recipes, the loader's test file, one using the test extension.
for path in sorted(glob.glob("experiments/*.textproto")) + ["trm/config/testdata/loader_test.textproto"]:
    put("experiment_text", os.path.basename(path), open(path).read())
put("experiment_text", "extension.textproto",
    'name: "x"\ndata { [trm.config.testing.test_data] { subsets: "a" retries: 2 filter { max_side: 3 } } }\n'
    'evaluators { name: "arc" }\ntrain { epochs: 10 eval_interval: 5 }\n')

# --set overrides, one per line.
put("set_override", "scalars.txt", "arch.L_cycles=6\narch.forward_dtype=float32\ntrain.epochs=100\n"
    "ema.rate=0.5\narch.halt_exploration_prob=0.1\n")
put("set_override", "messages.txt", "arch={hidden_size: 64 num_heads: 4}\nevaluators[1].name=x\n"
    "evaluators[2]={name: \"y\"}\n")
put("set_override", "extension.txt", "data.[trm.config.testing.test_data].subsets=a,b,c\n"
    "data.[trm.config.testing.test_data].filter.max_side=7\n"
    "data.[trm.config.testing.test_data].subsets[3]=d\ndata.[trm.config.testing.test_data]={retries: 1}\n")


# safetensors: the small fixtures whole, and a hand-made file of every dtype.
def safetensors(tensors, metadata=None):
    header, data = {}, b""
    if metadata:
        header["__metadata__"] = metadata
    for name in sorted(tensors):
        dtype, shape, raw = tensors[name]
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":"))
    text += " " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text.encode() + data


for path in sorted(glob.glob(os.path.join(FIXTURES, "*/*.safetensors"))):
    if os.path.getsize(path) <= 1500:
        put("safetensors", os.path.basename(os.path.dirname(path)) + "_" + os.path.basename(path),
            open(path, "rb").read())
put("safetensors", "every_dtype.safetensors", safetensors({
    "a_f64": ("F64", [2], struct.pack("<2d", 1.5, -2)), "b_f32": ("F32", [], struct.pack("<f", 3)),
    "c_f16": ("F16", [1, 1], b"\x00\x3c"), "d_bf16": ("BF16", [2], b"\x80\x3f\x00\x40"),
    "e_i64": ("I64", [1], struct.pack("<q", -7)), "f_i32": ("I32", [0, 3], b""),
    "g_i16": ("I16", [1], b"\x01\x00"), "h_i8": ("I8", [3], b"\x01\x02\x03"),
    "i_u8": ("U8", [2, 2], b"\x01\x02\x03\x04"), "j_bool": ("BOOL", [2], b"\x00\x01"),
}, {"format": "pt"}))

# Pickles: data.pkl of a fixture checkpoint (an OrderedDict with _metadata) and of torch.save calls.
for name in ["trm_hier6/weights.pt", "trm_att/reference_checkpoint.pt"]:
    path = os.path.join(FIXTURES, name)
    if os.path.exists(path):
        with zipfile.ZipFile(path) as z:
            pkl = [n for n in z.namelist() if n.endswith("/data.pkl")][0]
            put("pickle", name.replace("/", "_").replace(".pt", ".pkl"), z.read(pkl))
# torch.save-style pickles made with Python's pickle and stand-ins for the torch globals (no torch
# needed): storages as persistent ids, tensors reduced by torch._utils._rebuild_tensor_v2.
import pickle
import types

torch_module, utils_module = types.ModuleType("torch"), types.ModuleType("torch._utils")
sys.modules.update({"torch": torch_module, "torch._utils": utils_module})
for storage_name in ["FloatStorage", "BFloat16Storage", "LongStorage", "BoolStorage"]:
    setattr(torch_module, storage_name, type(storage_name, (), {"__module__": "torch"}))


def _rebuild_tensor_v2(*args):
    raise NotImplementedError


def _rebuild_parameter(*args):
    raise NotImplementedError


for function in [_rebuild_tensor_v2, _rebuild_parameter]:
    function.__module__ = "torch._utils"
    setattr(utils_module, function.__name__, function)


class Storage:
    def __init__(self, key, storage_type, numel):
        self.pid = ("storage", getattr(torch_module, storage_type), key, "cpu", numel)


class Tensor:
    def __init__(self, storage, offset, size, stride, parameter=False):
        self.args = (storage, offset, tuple(size), tuple(stride), False, collections.OrderedDict())
        self.parameter = parameter

    def __reduce__(self):
        if self.parameter:
            return (_rebuild_parameter, (Tensor(*self.args[:4]), True, collections.OrderedDict()))
        return (_rebuild_tensor_v2, self.args)


class TorchPickler(pickle.Pickler):
    def persistent_id(self, obj):
        return obj.pid if isinstance(obj, Storage) else None


def torch_pickle(obj, protocol):
    buffer = io.BytesIO()
    TorchPickler(buffer, protocol=protocol).dump(obj)
    return buffer.getvalue()


floats = Storage("0", "FloatStorage", 12)
state = collections.OrderedDict([
    ("w", Tensor(floats, 0, [3, 4], [4, 1])), ("t", Tensor(floats, 0, [3, 4], [1, 3])),
    ("b", Tensor(Storage("1", "BoolStorage", 2), 0, [2], [1])),
    ("p", Tensor(Storage("2", "BFloat16Storage", 2), 0, [2], [1], parameter=True)),
    ("s", Tensor(Storage("3", "LongStorage", 1), 0, [], [])),
])
state._metadata = collections.OrderedDict([("", {"version": 1})])
put("pickle", "ordered_dict.pkl", torch_pickle(state, 2))
put("pickle", "protocol4.pkl", torch_pickle(dict(state), 4))
put("pickle", "containers.pkl", torch_pickle(
    {"i": [1, -2, 2 ** 40, True, None, 0.5, "s"], "t": (1, (2, 3)), 7: {"x": Tensor(floats, 2, [3], [1])}}, 2))
