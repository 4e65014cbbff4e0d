# Kaggle notebook (ARC Prize): solve the hidden test tasks with a packed trm bundle.
#
# Attach the bundle (tools/kaggle/pack_bundle.sh's trm_bundle.tar.gz) as a Kaggle dataset and run
# this file as the notebook. It writes a fallback submission.json at once (so that a failure still
# leaves a valid file), unpacks the bundle, runs the solver (fine-tuning on the tasks'
# demonstrations, then the augmentation vote) on every GPU within the time budget, and puts its
# submission.json where Kaggle reads it. No internet and no build tools are needed: the bundle
# brings the binaries and the libraries other than LibTorch, which comes from the notebook's torch.
# Tested on CPU only (tools/kaggle/bundle_test.sh); the GPU path and a Kaggle image are untested.
#
# Settings (environment variables, with the Kaggle defaults):
#   TRM_BUNDLE          the bundle (default: the first trm_bundle*.tar.gz under /kaggle/input)
#   TRM_CHALLENGES      the tasks (default: the arc-agi_test_challenges.json under /kaggle/input)
#   TRM_OUTPUT_DIR      where submission.json goes (default: /kaggle/working)
#   TRM_WORK_DIR        scratch space (default: /kaggle/temp/trm, else /tmp/trm)
#   TRM_TIME_BUDGET     wall time from this script's start to a written submission (default:
#                       11h30m of Kaggle's 12 h); the solver gets what is left after unpacking
#   TRM_FINETUNE        all | embeddings | none (default: all)
#   TRM_FINETUNE_STEPS  fine-tuning steps (default: 12500)
#   TRM_SOLVER_FLAGS    more solver flags, e.g. "--set train.global_batch_size=384"
#   TRM_TORCH_LIB       LibTorch's lib folder (default: the notebook's torch)
import glob
import json
import os
import shlex
import shutil
import subprocess
import sys
import tarfile
import time

START = time.time()


def setting(name, default):
    value = os.environ.get(name, "")
    return value if value else default


def first_match(pattern):
    matches = sorted(glob.glob(pattern, recursive=True))
    return matches[0] if matches else ""


def write_json(path, value):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(value, f)
    os.replace(tmp, path)


def fallback_submission(challenges):
    # Every task, every test input, two attempts: a valid file whatever happens next.
    return {task_id: [{"attempt_1": [[0]], "attempt_2": [[0]]} for _ in task["test"]]
            for task_id, task in challenges.items()}


def seconds(duration):
    # "11h30m", "90m", "45s", "1h" -> seconds.
    total, number = 0.0, ""
    for char in duration.strip():
        if char.isdigit() or char == ".":
            number += char
        elif char in "hms" and number:
            total += float(number) * {"h": 3600, "m": 60, "s": 1}[char]
            number = ""
        else:
            raise ValueError(f"bad duration {duration!r} (e.g. 11h30m)")
    if number:
        raise ValueError(f"bad duration {duration!r}: a unit (h, m, s) is missing")
    return total


def gpu_count():
    try:
        import torch
        return torch.cuda.device_count()
    except Exception:
        return 0


def main():
    bundle = setting("TRM_BUNDLE", first_match("/kaggle/input/**/trm_bundle*.tar.gz"))
    challenges_file = setting("TRM_CHALLENGES",
                              first_match("/kaggle/input/**/arc-agi_test_challenges.json"))
    output_dir = setting("TRM_OUTPUT_DIR", "/kaggle/working")
    work_dir = setting("TRM_WORK_DIR",
                       "/kaggle/temp/trm" if os.path.isdir("/kaggle/temp") else "/tmp/trm")
    if not challenges_file or not os.path.isfile(challenges_file):
        sys.exit(f"error: no challenges file (TRM_CHALLENGES={challenges_file!r})")
    with open(challenges_file) as f:
        challenges = json.load(f)
    os.makedirs(output_dir, exist_ok=True)
    submission_file = os.path.join(output_dir, "submission.json")
    write_json(submission_file, fallback_submission(challenges))
    print(f"wrote the fallback {submission_file} ({len(challenges)} tasks)", flush=True)

    if not bundle or not os.path.isfile(bundle):
        sys.exit(f"error: no bundle (TRM_BUNDLE={bundle!r}); the fallback submission stays")
    shutil.rmtree(work_dir, ignore_errors=True)
    os.makedirs(work_dir)
    with tarfile.open(bundle) as archive:
        archive.extractall(work_dir)
    solver = os.path.join(work_dir, "trm_bundle", "solve.sh")

    gpus = gpu_count()
    solve_dir = os.path.join(work_dir, "solve")
    # The solver's budget: what is left of ours, less 10 s for copying its result.
    budget = seconds(setting("TRM_TIME_BUDGET", "11h30m")) - (time.time() - START) - 10
    if budget <= 0:
        sys.exit("error: TRM_TIME_BUDGET is spent before the solver starts; the fallback stays")
    command = [solver, f"--challenges={challenges_file}", f"--out={solve_dir}",
               f"--time_budget={budget:.0f}s",
               f"--finetune={setting('TRM_FINETUNE', 'all')}",
               f"--finetune_steps={setting('TRM_FINETUNE_STEPS', '12500')}"]
    if gpus > 0:
        command += ["--device=cuda", f"--nproc_per_node={gpus}"]
    command += shlex.split(setting("TRM_SOLVER_FLAGS", ""))
    print("running", " ".join(shlex.quote(c) for c in command), flush=True)
    result = subprocess.run(command)

    solved = os.path.join(solve_dir, "submission.json")
    if os.path.isfile(solved):
        shutil.copyfile(solved, submission_file + ".tmp")
        os.replace(submission_file + ".tmp", submission_file)
        print(f"wrote {submission_file} from the solver (exit status {result.returncode}, "
              f"{time.time() - START:.0f} s)", flush=True)
    else:
        print(f"the solver left no submission (exit status {result.returncode}); "
              f"the fallback stays", flush=True)
    return 0 if result.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
