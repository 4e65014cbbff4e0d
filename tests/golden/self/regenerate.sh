#!/usr/bin/env bash
# Regenerates the self-consistency parity cases: configurations the reference accepts that the
# shipped fixtures do not cover. Expected tensors = our own model in float64 (see
# tools/make_parity_case.cc); //tools/replay:parity_test replays them in float32. They guard our
# numerics against regressions; they are NOT a comparison with the Python reference.
#   tests/golden/self/regenerate.sh   (deletes and rewrites every case folder below)
set -euo pipefail
cd "$(dirname "$0")"
here="$(pwd)"
bazel build //tools:make_parity_case
tool="$(bazel info bazel-bin)/tools/make_parity_case"

make_case() {  # name architecture config padding_rows n_steps description
  rm -rf "${here:?}/$1"
  "$tool" --out="$here/$1" --architecture="$2" --config="$3" --padding_rows="$4" \
    --n_steps="$5" --description="$6"
  cat > "$here/$1/BUILD" <<'BUILD'
package(default_visibility = ["//visibility:public"])

filegroup(
    name = "files",
    srcs = glob(["**"], exclude = ["BUILD"]),
)
BUILD
}

make_case trm_wide_heads8 trm \
  '{"hidden_size": 96, "num_heads": 8, "expansion": 2.5, "L_layers": 3, "H_cycles": 3, "L_cycles": 1, "puzzle_emb_ndim": 96, "puzzle_emb_len": 4, "seq_len": 36}' \
  1 3 "TRM: hidden 96, 8 heads of 12, expansion 2.5 (SwiGLU 256), 3 layers, H_cycles 3, L_cycles 1, one padding row."
make_case trm_learned_derived_prefix trm \
  '{"hidden_size": 48, "num_heads": 2, "pos_encodings": "learned", "puzzle_emb_ndim": 80, "puzzle_emb_len": 0, "L_layers": 1, "H_cycles": 2, "L_cycles": 3, "seq_len": 36}' \
  1 3 "TRM: learned positions, puzzle_emb_len derived = ceil(80/48) = 2 with zero padding, L_cycles 3, one padding row."
make_case trm_mlp_t_learned trm \
  '{"hidden_size": 32, "num_heads": 2, "mlp_t": true, "pos_encodings": "learned", "expansion": 3, "puzzle_emb_ndim": 32, "puzzle_emb_len": 0, "seq_len": 36}' \
  0 3 "TRM token-MLP (norm over the token axis) with learned positions, expansion 3, derived prefix of 1."
make_case trm_no_puzzle_embedding trm \
  '{"hidden_size": 32, "num_heads": 2, "pos_encodings": "none", "puzzle_emb_ndim": 0, "puzzle_emb_len": 0, "seq_len": 36}' \
  0 3 "TRM without puzzle embedding (no prefix) and without positional encoding."
make_case trm_act_continue trm \
  '{"hidden_size": 32, "num_heads": 2, "no_ACT_continue": false, "halt_max_steps": 4, "seq_len": 36}' \
  0 4 "TRM with no_ACT_continue = false: q_halt > q_continue and the bootstrapped continue target (the reference crashes here; this port follows HRM)."
make_case hrm_learned_h2_l1 hrm \
  '{"hidden_size": 48, "num_heads": 3, "H_layers": 2, "L_layers": 1, "H_cycles": 3, "L_cycles": 2, "pos_encodings": "learned", "puzzle_emb_ndim": 48, "seq_len": 36}' \
  1 3 "HRM: 2 H layers, 1 L layer, H_cycles 3, L_cycles 2, 3 heads of 16, learned positions, one padding row."
make_case transformer_baseline_uneven_heads transformer_baseline \
  '{"hidden_size": 50, "num_heads": 3, "H_layers": 3, "puzzle_emb_ndim": 50, "seq_len": 36}' \
  0 3 "Transformer baseline: 3 layers, 3 heads of 16 on hidden 50 (attention width 48 != hidden, like 12 x 42 on 512)."
make_case trm_singlez trm_singlez \
  '{"hidden_size": 32, "num_heads": 2, "seq_len": 36}' \
  0 3 "trm_singlez ablation: a single latent state."
make_case trm_hier6 trm_hier6 \
  '{"hidden_size": 32, "num_heads": 2, "L_cycles": 3, "seq_len": 36}' \
  0 3 "trm_hier6 ablation: six latents, L_cycles 3 (latents 4-6 keep their initial values)."
