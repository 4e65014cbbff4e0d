# Every target of the BUILD files, package by package (sources relative to the repository root).
# Keep in step with the BUILD files: //tests/build:cmake_sources_test compares the sources.
# Order matters only where a target names another as data: libraries, plugins, binaries, tests.

# //trm:host: the core, one static archive (every trm_cc_library and trm_cc_proto of //trm/...).
trm_protos(TRM_PROTO_SRCS
  trm/config/experiment.proto
  trm/logging/tensorboard_event.proto
  tools/sweep/sweep.proto
  plugins/arc/arc.proto
  plugins/evaluators/arc_evaluator.proto
  plugins/exact_match/exact_match.proto
  plugins/maze/maze.proto
  plugins/sudoku/sudoku.proto
  trm/config/testdata/test_extension.proto
)
# The sweep tool's proto and the plugins' protos (config extensions) are not part of the core: each
# goes into its tool or plugin (Bazel: //tools/sweep:sweep_cc_proto, trm_plugin_proto).
function(_trm_take_protos out_var regex)
  set(taken ${TRM_PROTO_SRCS})
  list(FILTER taken INCLUDE REGEX "${regex}")
  set(${out_var} ${taken} PARENT_SCOPE)
endfunction()
_trm_take_protos(TRM_SWEEP_PROTO_SRCS "/tools/sweep/")
_trm_take_protos(TRM_ARC_PROTO_SRCS "/plugins/arc/arc\\.pb\\.cc$")
_trm_take_protos(TRM_ARC_EVALUATOR_PROTO_SRCS "/plugins/evaluators/")
_trm_take_protos(TRM_EXACT_MATCH_PROTO_SRCS "/plugins/exact_match/")
_trm_take_protos(TRM_SUDOKU_PROTO_SRCS "/plugins/sudoku/")
_trm_take_protos(TRM_MAZE_PROTO_SRCS "/plugins/maze/")
_trm_take_protos(TRM_CONFIG_TEST_PROTO_SRCS "/trm/config/testdata/")
list(FILTER TRM_PROTO_SRCS EXCLUDE REGEX "/(tools|plugins)/|/trm/config/testdata/")
trm_core_library(
  ${TRM_PROTO_SRCS}
  third_party/bazel_runfiles/tools/cpp/runfiles/runfiles.cc
  trm/app/app.cc
  trm/app/cpu_threads.cc
  trm/base/file_util.cc
  trm/base/folder_lock.cc
  trm/base/paths.cc
  trm/base/strings.cc
  trm/base/terminal.cc
  trm/checkpoint/mapped_file.cc
  trm/checkpoint/pickle.cc
  trm/checkpoint/safetensors.cc
  trm/checkpoint/state_dict.cc
  trm/checkpoint/torch_save.cc
  trm/checkpoint/weights_file.cc
  trm/config/experiment_loader.cc
  trm/data/augmentation.cc
  trm/data/dataset_builder.cc
  trm/data/dataset_metadata.cc
  trm/data/dataset_paths.cc
  trm/data/npy.cc
  trm/data/numpy_random.cc
  trm/data/puzzle_dataset.cc
  trm/data/python_json.cc
  trm/data/sha256.cc
  trm/data/split_writer.cc
  trm/data/staging_directory.cc
  trm/distributed/c10d_communicator.cc
  trm/distributed/communicator.cc
  trm/distributed/env.cc
  trm/distributed/gradient_reducer.cc
  trm/distributed/launcher.cc
  trm/eval/evaluation.cc
  trm/eval/evaluator.cc
  trm/logging/crc32c.cc
  trm/logging/event_writer.cc
  trm/logging/run_logger.cc
  trm/logging/tfrecord.cc
  trm/model/architecture.cc
  trm/model/loss_head.cc
  trm/nn/act_model.cc
  trm/nn/attention.cc
  trm/nn/cross_entropy.cc
  trm/nn/host_memory.cc
  trm/nn/init.cc
  trm/nn/layers.cc
  trm/nn/module.cc
  trm/nn/reasoning.cc
  trm/nn/sparse_embedding.cc
  trm/optim/optimizer.cc
  trm/optim/parameter_groups.cc
  trm/plugin/plugin_loader.cc
  trm/registry/registry.cc
  trm/train/checkpoint_dir.cc
  trm/train/ema.cc
  trm/train/train_state.cc
  trm/train/train_step.cc
  trm/train/trainer.cc
)

# ---- Libraries: test helpers and the code of each plugin -------------------------------------
# //trm/train
trm_library(trm/train toy_act
  SRCS trm/train/testdata/toy_act.cc
)

# //trm/checkpoint
trm_library(trm/checkpoint torch_save_writer
  SRCS trm/checkpoint/testing/torch_save_writer.cc
)

# //trm/testing
trm_library(trm/testing fake_communicator
  SRCS trm/testing/fake_communicator.cc
)
trm_library(trm/testing test_device
  SRCS trm/testing/test_device.cc
)

# //tests/testing
trm_library(tests/testing testing
  SRCS tests/testing/runfiles.cc
)

# The ARC plugins' config extensions alone, for tests that parse the shipped experiments without
# loading the plugins (Bazel: //plugins/arc:arc_cc_proto, //plugins/evaluators:arc_evaluator_cc_proto).
trm_plugin_library(plugins/arc arc_cc_proto
  SRCS ${TRM_ARC_PROTO_SRCS}
)
trm_plugin_library(plugins/evaluators arc_evaluator_cc_proto
  SRCS ${TRM_ARC_EVALUATOR_PROTO_SRCS}
)

# //plugins/arc/common: one object library for its six (Bazel: one cc_library each)
trm_plugin_library(plugins/arc/common arc_common
  SRCS
    plugins/arc/common/arc_augmentation.cc
    plugins/arc/common/arc_encoding.cc
    plugins/arc/common/arc_task.cc
    plugins/arc/common/grid.cc
    plugins/arc/common/kaggle_submission.cc
    plugins/arc/common/token_drawing.cc
)

# //plugins/schedules
trm_plugin_library(plugins/schedules warmup_cosine
  SRCS plugins/schedules/warmup_cosine.cc
)

# //plugins/augmentations
trm_plugin_library(plugins/augmentations augmentations_lib
  SRCS plugins/augmentations/dihedral_color.cc plugins/augmentations/translate.cc
)

# //plugins/act_loss
trm_plugin_library(plugins/act_loss act_loss_head
  SRCS plugins/act_loss/act_loss_head.cc
)

# //plugins/optimizers
trm_plugin_library(plugins/optimizers adam
  SRCS plugins/optimizers/adam.cc
)
trm_plugin_library(plugins/optimizers sparse_sign_sgd
  SRCS plugins/optimizers/sparse_sign_sgd.cc
)

# //plugins/evaluators
trm_plugin_library(plugins/evaluators arc
  SRCS
    ${TRM_ARC_EVALUATOR_PROTO_SRCS}
    plugins/evaluators/arc_crop.cc
    plugins/evaluators/arc_evaluator.cc
    plugins/evaluators/arc_report.cc
    plugins/evaluators/arc_results.cc
    plugins/evaluators/arc_votes.cc
)

# //plugins/exact_match
trm_plugin_library(plugins/exact_match exact_match_cc_proto
  SRCS ${TRM_EXACT_MATCH_PROTO_SRCS}
)
trm_plugin_library(plugins/exact_match boards
  SRCS plugins/exact_match/boards.cc
)
trm_plugin_library(plugins/exact_match tally
  SRCS plugins/exact_match/tally.cc
)
trm_plugin_library(plugins/exact_match report
  SRCS plugins/exact_match/report.cc
)
trm_plugin_library(plugins/exact_match evaluator
  SRCS plugins/exact_match/exact_match_evaluator.cc
)

# //plugins/testing
trm_plugin_library(plugins/testing tensor_holder_architecture
  SRCS plugins/testing/tensor_holder_architecture.cc
)

# //plugins/arc
trm_plugin_library(plugins/arc arc_lib
  SRCS ${TRM_ARC_PROTO_SRCS} plugins/arc/arc_builder.cc plugins/arc/arc_data_dir.cc plugins/arc/arc_tasks.cc
    plugins/arc/group_augmenter.cc
)

# //plugins/sudoku
trm_plugin_library(plugins/sudoku sudoku_cc_proto
  SRCS ${TRM_SUDOKU_PROTO_SRCS}
)
trm_plugin_library(plugins/sudoku board
  SRCS plugins/sudoku/sudoku_board.cc
)
trm_plugin_library(plugins/sudoku solver
  SRCS plugins/sudoku/sudoku_solver.cc
)
trm_plugin_library(plugins/sudoku generator
  SRCS plugins/sudoku/sudoku_generator.cc
)
trm_plugin_library(plugins/sudoku csv
  SRCS plugins/sudoku/sudoku_csv.cc
)
trm_plugin_library(plugins/sudoku builder
  SRCS plugins/sudoku/sudoku_builder.cc
)

# //plugins/maze
trm_plugin_library(plugins/maze maze_cc_proto
  SRCS ${TRM_MAZE_PROTO_SRCS}
)
trm_plugin_library(plugins/maze maze_csv
  SRCS plugins/maze/maze_csv.cc
)
trm_plugin_library(plugins/maze maze_generator
  SRCS plugins/maze/maze_generator.cc
)
trm_plugin_library(plugins/maze maze_builder
  SRCS plugins/maze/maze_builder.cc
)
set(TRM_MAZE_LIBS
  plugins_maze_maze_builder plugins_maze_maze_generator plugins_maze_maze_csv
  plugins_maze_maze_cc_proto plugins_arc_common_arc_common
)

# //plugins/recursive_reasoning
trm_plugin_library(plugins/recursive_reasoning architectures
  SRCS
    plugins/recursive_reasoning/hrm.cc
    plugins/recursive_reasoning/recursive_model.cc
    plugins/recursive_reasoning/transformer_baseline.cc
    plugins/recursive_reasoning/trm.cc
    plugins/recursive_reasoning/trm_hier6.cc
    plugins/recursive_reasoning/trm_singlez.cc
)

# ---- Plugins: <build>/bin/plugins/<package>/libtrm_<name>.so ----------------------------------

# //trm/plugin/testdata
trm_plugin(trm/plugin/testdata test_hello
  SRCS trm/plugin/testdata/hello_plugin.cc
)
trm_plugin(trm/plugin/testdata test_clash
  SRCS trm/plugin/testdata/clash_plugin.cc
)
trm_plugin(trm/plugin/testdata test_wrong_version
  SRCS trm/plugin/testdata/wrong_version_plugin.cc
)
trm_plugin(trm/plugin/testdata test_other_cuda
  SRCS trm/plugin/testdata/other_cuda_plugin.cc
)
trm_plugin(trm/plugin/testdata test_unresolved
  SRCS trm/plugin/testdata/unresolved_plugin.cc
)
trm_plugin(trm/plugin/testdata test_no_entry
  SRCS trm/plugin/testdata/no_entry_plugin.cc
)

# //plugins/schedules
trm_plugin(plugins/schedules schedules
  SRCS plugins/schedules/plugin.cc
  LIBS plugins_schedules_warmup_cosine
)

# //plugins/augmentations
trm_plugin(plugins/augmentations augmentations
  SRCS plugins/augmentations/plugin.cc
  LIBS plugins_arc_common_arc_common plugins_augmentations_augmentations_lib
)

# //plugins/act_loss
trm_plugin(plugins/act_loss act_loss
  SRCS plugins/act_loss/plugin.cc
  LIBS plugins_act_loss_act_loss_head
)

# //plugins/optimizers
trm_plugin(plugins/optimizers optimizers
  SRCS plugins/optimizers/plugin.cc
  LIBS plugins_optimizers_adam plugins_optimizers_sparse_sign_sgd
)

# //plugins/evaluators
trm_plugin(plugins/evaluators evaluators
  SRCS plugins/evaluators/plugin.cc
  LIBS plugins_arc_common_arc_common plugins_evaluators_arc
)

# //plugins/exact_match
trm_plugin(plugins/exact_match exact_match
  SRCS plugins/exact_match/plugin.cc
  LIBS plugins_exact_match_evaluator plugins_exact_match_report plugins_exact_match_tally
       plugins_exact_match_boards plugins_exact_match_exact_match_cc_proto
)

# //plugins/testing
trm_plugin(plugins/testing test_reference_keys
  SRCS plugins/testing/reference_keys_plugin.cc
  LIBS plugins_testing_tensor_holder_architecture
)

# //plugins/arc
trm_plugin(plugins/arc arc
  SRCS plugins/arc/plugin.cc
  LIBS plugins_arc_common_arc_common plugins_arc_arc_lib
)

# //plugins/sudoku
trm_plugin(plugins/sudoku sudoku
  SRCS plugins/sudoku/plugin.cc
  LIBS plugins_sudoku_builder plugins_sudoku_csv plugins_sudoku_generator plugins_sudoku_solver
       plugins_sudoku_board plugins_sudoku_sudoku_cc_proto
)

# //plugins/maze
trm_plugin(plugins/maze maze
  SRCS plugins/maze/plugin.cc
  LIBS ${TRM_MAZE_LIBS}
)

# //plugins/recursive_reasoning
trm_plugin(plugins/recursive_reasoning recursive_reasoning
  SRCS plugins/recursive_reasoning/plugin.cc
  LIBS plugins_recursive_reasoning_architectures
)

# //plugins:plugins, what the tools carry and load.
set(TRM_PLUGINS
  plugins_act_loss_libtrm_act_loss
  plugins_arc_libtrm_arc
  plugins_augmentations_libtrm_augmentations
  plugins_evaluators_libtrm_evaluators
  plugins_exact_match_libtrm_exact_match
  plugins_maze_libtrm_maze
  plugins_optimizers_libtrm_optimizers
  plugins_recursive_reasoning_libtrm_recursive_reasoning
  plugins_schedules_libtrm_schedules
  plugins_sudoku_libtrm_sudoku
)

# ---- Binaries: tools and benchmarks ------------------------------------------------------------

# //trm/data
trm_binary(trm/data puzzle_dataset_benchmark
  SRCS trm/data/puzzle_dataset_benchmark.cc
  LIBS trm::benchmark_main
)

# //trm/distributed
trm_binary(trm/distributed launcher_probe
  SRCS trm/distributed/launcher_probe.cc
)

# //tools
trm_library(tools dataset_building
  SRCS tools/dataset_building.cc
)
trm_library(tools checkpoint_source
  SRCS tools/checkpoint_source.cc
)
trm_library(tools process_group
  SRCS tools/process_group.cc
)
# //tools/replay: one library for its four (Bazel: one cc_library each)
trm_library(tools/replay parity
  SRCS
    tools/replay/compare.cc
    tools/replay/fixture_case.cc
    tools/replay/parity.cc
    tools/replay/protocol.cc
)
trm_binary(tools train HOST EXPORTS
  SRCS tools/train.cc
  LIBS tools_dataset_building tools_process_group
  DATA experiments ${TRM_PLUGINS}
)
trm_binary(tools build_dataset HOST EXPORTS
  SRCS tools/build_dataset.cc
  LIBS tools_dataset_building
  DATA experiments ${TRM_PLUGINS}
)
trm_binary(tools dataset_info HOST EXPORTS
  SRCS tools/dataset_info.cc
  LIBS plugins_arc_common_arc_common
)
trm_binary(tools import_checkpoint HOST EXPORTS
  SRCS tools/import_checkpoint.cc
  DATA experiments ${TRM_PLUGINS}
)
trm_binary(tools bench_checkpoint HOST EXPORTS
  SRCS tools/bench_checkpoint.cc
  LIBS plugins_testing_tensor_holder_architecture trm_checkpoint_torch_save_writer
)
trm_binary(tools parity HOST EXPORTS
  SRCS tools/parity.cc
  LIBS tools_replay_parity
  DATA ${TRM_PLUGINS}
)
trm_binary(tools make_parity_case HOST EXPORTS
  SRCS tools/make_parity_case.cc
  LIBS tools_replay_parity
  DATA ${TRM_PLUGINS}
)
trm_binary(tools bench_trm HOST
  SRCS tools/bench_trm.cc
  LIBS plugins_act_loss_act_loss_head plugins_recursive_reasoning_architectures trm::benchmark
)
trm_binary(tools check_submission HOST EXPORTS
  SRCS tools/check_submission.cc
  LIBS plugins_arc_common_arc_common
)
trm_binary(tools eval HOST EXPORTS
  SRCS tools/eval.cc
  LIBS tools_checkpoint_source tools_process_group
  DATA experiments ${TRM_PLUGINS}
)
trm_binary(tools bench_train_step HOST EXPORTS
  SRCS tools/bench_train_step.cc
  DATA experiments ${TRM_PLUGINS}
)

# //tools/solve
trm_library(tools/solve time_budget
  SRCS tools/solve/time_budget.cc
)
trm_binary(tools/solve solve HOST EXPORTS
  SRCS tools/solve/solve.cc
  LIBS tools_checkpoint_source tools_dataset_building tools_process_group tools_solve_time_budget
       plugins_arc_common_arc_common
  DATA experiments ${TRM_PLUGINS}
)

# //tools/sweep
trm_library(tools/sweep sweep_lib
  SRCS
    ${TRM_SWEEP_PROTO_SRCS}
    tools/sweep/report.cc
    tools/sweep/run_executor.cc
    tools/sweep/run_folder.cc
    tools/sweep/slurm.cc
    tools/sweep/sweep_spec.cc
)
trm_binary(tools/sweep sweep HOST EXPORTS
  SRCS tools/sweep/sweep_main.cc
  LIBS tools_sweep_sweep_lib
  DATA experiments ${TRM_PLUGINS} tools_build_dataset tools_train
)

# //plugins/evaluators
trm_binary(plugins/evaluators arc_evaluator_benchmark HOST
  SRCS plugins/evaluators/arc_evaluator_benchmark.cc
  LIBS plugins_arc_common_arc_common plugins_evaluators_arc trm::benchmark_main
)

# //plugins/arc
trm_binary(plugins/arc arc_builder_benchmark HOST
  SRCS plugins/arc/arc_builder_benchmark.cc
  LIBS plugins_arc_common_arc_common plugins_arc_arc_lib plugins_augmentations_augmentations_lib trm::benchmark_main
)

# //plugins/sudoku
trm_binary(plugins/sudoku generate_sudoku HOST
  SRCS plugins/sudoku/generate_sudoku.cc
  LIBS plugins_sudoku_csv plugins_sudoku_generator plugins_sudoku_solver plugins_sudoku_board
)

# //plugins/maze
trm_binary(plugins/maze generate_maze HOST EXPORTS
  SRCS plugins/maze/generate_maze.cc
  LIBS plugins_maze_maze_generator plugins_maze_maze_csv plugins_maze_maze_cc_proto
)

# The tools and their plugins alone: cmake --build BUILD --target trm_tools
add_custom_target(trm_tools)
add_dependencies(trm_tools
  tools_train tools_eval tools_build_dataset tools_dataset_info tools_import_checkpoint
  tools_check_submission tools_parity tools_make_parity_case tools_bench_train_step
  tools_solve_solve ${TRM_PLUGINS})

# ---- Tests --------------------------------------------------------------------------------------

# //trm/optim
trm_test(trm/optim parameter_groups_test
  SRCS trm/optim/parameter_groups_test.cc
  LIBS trm::gmock_main
)

# //trm/nn
trm_test(trm/nn init_test
  SRCS trm/nn/init_test.cc
  LIBS trm::gmock_main
)
trm_test(trm/nn layers_test
  SRCS trm/nn/layers_test.cc
  LIBS trm::gmock_main
)
trm_test(trm/nn attention_test
  SRCS trm/nn/attention_test.cc
  LIBS trm::gmock_main
)
trm_test(trm/nn cross_entropy_test
  SRCS trm/nn/cross_entropy_test.cc
  LIBS trm::gmock_main
)
trm_test(trm/nn sparse_embedding_test
  SRCS trm/nn/sparse_embedding_test.cc
  LIBS trm::gmock_main
)
trm_test(trm/nn act_model_test
  SRCS trm/nn/act_model_test.cc
  LIBS trm::gmock_main
)

# //trm/config
trm_library(trm/config test_extension_cc_proto
  SRCS ${TRM_CONFIG_TEST_PROTO_SRCS}
)
trm_test(trm/config experiment_loader_test
  SRCS trm/config/experiment_loader_test.cc
  LIBS trm_config_test_extension_cc_proto trm::gmock_main
  DATA experiments trm/config/testdata/loader_test.textproto
)

# //tools/replay
trm_test(tools/replay compare_test
  SRCS tools/replay/compare_test.cc
  LIBS tools_replay_parity trm::gmock_main
)
trm_test(tools/replay parity_test HOST EXPORTS SIZE medium
  SRCS tools/replay/parity_test.cc
  LIBS tools_replay_parity tests_testing_testing trm_testing_test_device trm::gmock_main
  DATA
    ${TRM_PLUGINS}
    tests/golden/hrm
    tests/golden/ops
    tests/golden/trm_att
    tests/golden/trm_mlp
    tests/golden/trm_singlez
    tests/golden/trm_hier6
    tests/golden/transformer_baseline
    tests/golden/self/hrm_learned_h2_l1
    tests/golden/self/transformer_baseline_uneven_heads
    tests/golden/self/trm_act_continue
    tests/golden/self/trm_hier6
    tests/golden/self/trm_learned_derived_prefix
    tests/golden/self/trm_mlp_t_learned
    tests/golden/self/trm_no_puzzle_embedding
    tests/golden/self/trm_singlez
    tests/golden/self/trm_wide_heads8
)

# //trm/logging
trm_test(trm/logging tfrecord_test
  SRCS trm/logging/tfrecord_test.cc
  LIBS trm::gmock_main
)
trm_test(trm/logging event_writer_test
  SRCS trm/logging/event_writer_test.cc
  LIBS trm::gtest_main
)
trm_test(trm/logging run_logger_test
  SRCS trm/logging/run_logger_test.cc
  LIBS trm::gmock_main
)

# //trm/plugin
trm_test(trm/plugin plugin_loader_test EXPORTS
  SRCS trm/plugin/plugin_loader_test.cc
  LIBS trm::gmock_main
  DATA
    trm_plugin_testdata_libtrm_test_clash
    trm_plugin_testdata_libtrm_test_hello
    trm_plugin_testdata_libtrm_test_no_entry
    trm_plugin_testdata_libtrm_test_other_cuda
    trm_plugin_testdata_libtrm_test_unresolved
    trm_plugin_testdata_libtrm_test_wrong_version
)

# //trm/train
trm_test(trm/train ema_test
  SRCS trm/train/ema_test.cc
  LIBS trm::gtest_main
)
trm_test(trm/train checkpoint_dir_test
  SRCS trm/train/checkpoint_dir_test.cc
  LIBS trm::gmock_main
)
trm_test(trm/train train_state_test
  SRCS trm/train/train_state_test.cc
  LIBS trm_train_toy_act trm::gtest_main
)
trm_test(trm/train train_step_test HOST
  SRCS trm/train/train_step_test.cc
  LIBS trm_train_toy_act trm::gmock_main
)
trm_test(trm/train total_steps_test
  SRCS trm/train/total_steps_test.cc
  LIBS trm::gtest_main
)

# //trm/registry
trm_test(trm/registry registry_test
  SRCS trm/registry/registry_test.cc
  LIBS trm::gmock_main
)

# //trm/data
trm_test(trm/data numpy_random_test
  SRCS trm/data/numpy_random_test.cc
  LIBS trm::gmock_main
)
trm_test(trm/data split_writer_test
  SRCS trm/data/split_writer_test.cc
  LIBS trm::gmock_main
)
trm_test(trm/data npy_test
  SRCS trm/data/npy_test.cc
  LIBS trm::gmock_main
  DATA tests/golden/numpy_npy
)
trm_test(trm/data python_json_test
  SRCS trm/data/python_json_test.cc
  LIBS trm::gmock_main
)
trm_test(trm/data dataset_metadata_test
  SRCS trm/data/dataset_metadata_test.cc
  LIBS trm::gmock_main
)
trm_test(trm/data staging_directory_test
  SRCS trm/data/staging_directory_test.cc
  LIBS trm::gmock_main
)
trm_test(trm/data puzzle_dataset_test SIZE medium
  SRCS trm/data/puzzle_dataset_test.cc
  LIBS trm::gmock_main
  DATA tests/golden/arc_tiny
)

# //trm/eval
trm_test(trm/eval evaluation_test HOST
  SRCS trm/eval/evaluation_test.cc
  LIBS trm_testing_fake_communicator trm::gmock_main
)

# //trm/base
trm_test(trm/base strings_test
  SRCS trm/base/strings_test.cc
  LIBS trm::gmock_main
)
trm_test(trm/app app_test HOST
  SRCS trm/app/app_test.cc
  LIBS trm::gmock_main
)
trm_test(trm/base terminal_test
  SRCS trm/base/terminal_test.cc
  LIBS trm::gtest_main
)
trm_test(trm/base paths_test
  SRCS trm/base/paths_test.cc
  LIBS trm::gmock_main
)
trm_test(trm/base file_util_test
  SRCS trm/base/file_util_test.cc
  LIBS trm::gtest_main
)
trm_test(trm/base folder_lock_test
  SRCS trm/base/folder_lock_test.cc
  LIBS trm::gtest_main
)

# //trm/distributed
trm_test(trm/distributed env_test
  SRCS trm/distributed/env_test.cc
  LIBS trm::gmock_main
)
trm_test(trm/distributed c10d_communicator_test
  SRCS trm/distributed/c10d_communicator_test.cc
  LIBS trm_testing_test_device trm::gtest_main
)
trm_test(trm/distributed launcher_test
  SRCS trm/distributed/launcher_test.cc
  LIBS trm::gtest_main
  DATA trm_distributed_launcher_probe
)

# //trm/checkpoint
trm_test(trm/checkpoint safetensors_test
  SRCS trm/checkpoint/safetensors_test.cc
  LIBS trm::gmock_main
  DATA trm/checkpoint/testdata/python_written.safetensors
)
trm_test(trm/checkpoint pickle_test
  SRCS trm/checkpoint/pickle_test.cc
  LIBS trm_checkpoint_torch_save_writer trm::gmock_main
)
trm_test(trm/checkpoint torch_save_test
  SRCS trm/checkpoint/torch_save_test.cc
  LIBS trm_checkpoint_torch_save_writer trm::gmock_main
  DATA
    tests/golden/hrm
    tests/golden/trm_att
    tests/golden/trm_mlp
    trm/checkpoint/testdata/lsan_suppressions.txt
  ENV
    "LSAN_OPTIONS=suppressions=trm/checkpoint/testdata/lsan_suppressions.txt:fast_unwind_on_malloc=0"
)
trm_test(trm/checkpoint weights_file_test
  SRCS trm/checkpoint/weights_file_test.cc
  LIBS trm::gmock_main
  DATA tests/golden/hrm tests/golden/trm_att tests/golden/trm_mlp
)
trm_test(trm/checkpoint state_dict_test HOST
  SRCS trm/checkpoint/state_dict_test.cc
  LIBS trm_checkpoint_torch_save_writer plugins_testing_tensor_holder_architecture trm::gmock_main
  DATA tests/golden/hrm tests/golden/trm_att tests/golden/trm_mlp
)

# //experiments
trm_test(experiments experiments_test HOST EXPORTS
  SRCS experiments/experiments_test.cc
  LIBS tests_testing_testing trm::gtest_main
  DATA experiments ${TRM_PLUGINS}
)

# //tests/conformance
trm_test(tests/conformance architecture_conformance_test HOST EXPORTS SIZE medium
  SRCS tests/conformance/architecture_conformance_test.cc
  LIBS tests_testing_testing trm::gmock
  DATA ${TRM_PLUGINS}
)

# //tools
trm_sh_test(tools build_dataset_test SCRIPT tools/build_dataset_test.sh SIZE medium
  DATA
    tools/testdata/arc_tiny.textproto
    tools_build_dataset
    tools_dataset_info
    ${TRM_PLUGINS}
    tests/golden/arc_tiny
)
trm_sh_test(tools import_checkpoint_test SCRIPT tools/import_checkpoint_test.sh
  DATA
    tools_import_checkpoint
    experiments
    tests/golden/trm_att
    plugins_testing_libtrm_test_reference_keys
    plugins_arc_libtrm_arc
    plugins_evaluators_libtrm_evaluators
)
trm_sh_test(tools check_submission_test SCRIPT tools/check_submission_test.sh
  DATA tools_check_submission
  ARGS tools/check_submission
)
trm_sh_test(tools eval_test SCRIPT tools/eval_test.sh SIZE large
  DATA
    tools/testdata/eval_reference_trm_att.textproto
    tools/testdata/eval_tiny.textproto
    tools_build_dataset
    tools_check_submission
    tools_eval
    tools_train
    ${TRM_PLUGINS}
    tests/golden/trm_att
    third_party/arc_sample
  ARGS tools/build_dataset tools/train tools/eval tools/check_submission
)
trm_library(tools/testing tool_process
  SRCS tools/testing/tool_process.cc
)
trm_test(tools train_test HOST SIZE large
  SRCS tools/train_test.cc
  LIBS tools_testing_tool_process trm_testing_test_device trm::gmock_main
  DATA tools_train experiments ${TRM_PLUGINS} tests/golden/arc2_trm_cpu_loss third_party/arc_sample
)

# //tests/build: no plugin defines a symbol of the host (a second copy of core code)
trm_sh_test(tests/build plugin_symbols_test SCRIPT tests/build/plugin_symbols_test.sh
  DATA tools_train ${TRM_PLUGINS}
  ARGS tools/train
)

# //tools/slurm (a private Slurm: the packages of tools/setup.sh)
set(TRM_SLURM_TEST_DATA
  tools/slurm/local_cluster.sh tools/slurm/testing.sh experiments ${TRM_PLUGINS}
  third_party/arc_sample tools_train)
trm_sh_test(tools/slurm srun_test SCRIPT tools/slurm/srun_test.sh SIZE medium
  DATA ${TRM_SLURM_TEST_DATA}
)
trm_sh_test(tools/slurm requeue_test SCRIPT tools/slurm/requeue_test.sh SIZE medium
  DATA ${TRM_SLURM_TEST_DATA} tools/slurm/train.sbatch
)

# //tools/solve, //tools/kaggle
trm_test(tools/solve time_budget_test
  SRCS tools/solve/time_budget_test.cc
  LIBS tools_solve_time_budget trm::gtest_main
)
trm_test(tools/solve solve_test HOST SIZE large
  SRCS tools/solve/solve_test.cc
  LIBS tools_testing_tool_process plugins_arc_common_arc_common trm::gmock_main
  DATA tools_solve_solve tools_train experiments ${TRM_PLUGINS} third_party/arc_sample
       tests/golden/trm_att tools/testdata/eval_reference_trm_att.textproto
)
trm_sh_test(tools/kaggle bundle_test SCRIPT tools/kaggle/bundle_test.sh SIZE large
  DATA
    tools/kaggle/kaggle_solve.py
    tools/kaggle/pack_bundle.sh
    experiments
    ${TRM_PLUGINS}
    third_party/arc_sample
    tools_check_submission
    tools_solve_solve
    tools_train
)

# //tools/sweep
trm_test(tools/sweep sweep_spec_test HOST EXPORTS
  SRCS tools/sweep/sweep_spec_test.cc
  LIBS tools_sweep_sweep_lib trm::gmock_main
  DATA experiments ${TRM_PLUGINS}
)
trm_test(tools/sweep report_test
  SRCS tools/sweep/report_test.cc
  LIBS tools_sweep_sweep_lib trm::gmock_main
)
trm_test(tools/sweep slurm_test
  SRCS tools/sweep/slurm_test.cc
  LIBS tools_sweep_sweep_lib trm::gmock_main
)
trm_test(tools/sweep run_folder_test
  SRCS tools/sweep/run_folder_test.cc
  LIBS tools_sweep_sweep_lib trm::gmock_main
)
trm_sh_test(tools/sweep sweep_test SCRIPT tools/sweep/sweep_test.sh SIZE large
  DATA tools_sweep_sweep third_party/arc_sample
  ARGS tools/sweep/sweep
)
trm_sh_test(tools/sweep sweep_slurm_test SCRIPT tools/sweep/sweep_slurm_test.sh SIZE medium
  DATA tools_sweep_sweep third_party/arc_sample tools/slurm/local_cluster.sh
  ARGS tools/sweep/sweep tools/slurm/local_cluster.sh
)

# //plugins/schedules
trm_test(plugins/schedules warmup_cosine_test HOST
  SRCS plugins/schedules/warmup_cosine_test.cc
  LIBS plugins_schedules_warmup_cosine trm::gtest_main
)

# //plugins/augmentations
trm_test(plugins/augmentations augmentations_test HOST
  SRCS plugins/augmentations/augmentations_test.cc
  LIBS plugins_arc_common_arc_common plugins_augmentations_augmentations_lib trm::gmock_main
)

# //plugins/act_loss
trm_test(plugins/act_loss act_loss_head_test HOST
  SRCS plugins/act_loss/act_loss_head_test.cc
  LIBS plugins_act_loss_act_loss_head trm::gtest_main
)

# //plugins/optimizers
trm_test(plugins/optimizers adam_test HOST
  SRCS plugins/optimizers/adam_test.cc
  LIBS plugins_optimizers_adam trm_testing_test_device trm::gmock_main
  DATA tests/golden/adam_atan2
)
trm_test(plugins/optimizers sparse_sign_sgd_test HOST
  SRCS plugins/optimizers/sparse_sign_sgd_test.cc
  LIBS plugins_optimizers_sparse_sign_sgd trm::gtest_main
  DATA tests/golden/sparse_emb_signsgd
)

# //plugins/evaluators
trm_test(plugins/evaluators arc_crop_test HOST
  SRCS plugins/evaluators/arc_crop_test.cc
  LIBS plugins_arc_common_arc_common plugins_evaluators_arc trm::gmock_main
)
trm_test(plugins/evaluators arc_votes_test HOST
  SRCS plugins/evaluators/arc_votes_test.cc
  LIBS plugins_arc_common_arc_common plugins_evaluators_arc trm::gmock_main
)
trm_test(plugins/evaluators arc_evaluator_test HOST
  SRCS plugins/evaluators/arc_evaluator_test.cc
  LIBS plugins_arc_common_arc_common plugins_evaluators_arc trm_testing_fake_communicator trm::gmock_main
  DATA tests/golden/arc_eval
)
trm_test(plugins/evaluators arc_report_test HOST
  SRCS plugins/evaluators/arc_report_test.cc
  LIBS plugins_arc_common_arc_common plugins_evaluators_arc trm::gmock_main
)

# //plugins/arc/common
trm_test(plugins/arc/common grid_test HOST
  SRCS plugins/arc/common/grid_test.cc
  LIBS plugins_arc_common_arc_common trm::gtest_main
)
trm_test(plugins/arc/common arc_task_test HOST
  SRCS plugins/arc/common/arc_task_test.cc
  LIBS plugins_arc_common_arc_common trm::gmock_main
)
trm_test(plugins/arc/common token_drawing_test HOST
  SRCS plugins/arc/common/token_drawing_test.cc
  LIBS plugins_arc_common_arc_common trm::gmock_main
)
trm_test(plugins/arc/common kaggle_submission_test HOST
  SRCS plugins/arc/common/kaggle_submission_test.cc
  LIBS plugins_arc_common_arc_common trm::gmock_main
)
trm_test(plugins/arc/common arc_aug_fixture_test HOST
  SRCS plugins/arc/common/arc_aug_fixture_test.cc
  LIBS plugins_arc_common_arc_common trm::gtest_main
  DATA tests/golden/arc_aug
)

# //plugins/exact_match
trm_test(plugins/exact_match boards_test HOST
  SRCS plugins/exact_match/boards_test.cc
  LIBS plugins_exact_match_boards plugins_exact_match_exact_match_cc_proto trm::gmock_main
)
trm_test(plugins/exact_match tally_test HOST
  SRCS plugins/exact_match/tally_test.cc
  LIBS plugins_exact_match_tally trm::gmock_main
)
trm_test(plugins/exact_match report_test HOST
  SRCS plugins/exact_match/report_test.cc
  LIBS plugins_exact_match_report plugins_exact_match_boards plugins_exact_match_tally
       plugins_exact_match_exact_match_cc_proto trm::gmock_main
)
trm_test(plugins/exact_match exact_match_evaluator_test HOST
  SRCS plugins/exact_match/exact_match_evaluator_test.cc
  LIBS plugins_exact_match_evaluator plugins_exact_match_report plugins_exact_match_tally
       plugins_exact_match_boards plugins_exact_match_exact_match_cc_proto
       trm_testing_fake_communicator trm::gmock_main
)

# //plugins/maze
trm_test(plugins/maze maze_csv_test HOST
  SRCS plugins/maze/maze_csv_test.cc
  LIBS plugins_maze_maze_csv trm::gmock_main
)
trm_test(plugins/maze maze_generator_test HOST
  SRCS plugins/maze/maze_generator_test.cc
  LIBS plugins_maze_maze_generator plugins_maze_maze_csv plugins_maze_maze_cc_proto
       trm::gmock_main
)
trm_test(plugins/maze maze_builder_test HOST
  SRCS plugins/maze/maze_builder_test.cc
  LIBS ${TRM_MAZE_LIBS} trm::gmock_main
  DATA plugins/maze/testdata
)

# //plugins/arc
trm_test(plugins/arc arc_data_dir_test HOST
  SRCS plugins/arc/arc_data_dir_test.cc
  LIBS plugins_arc_common_arc_common plugins_arc_arc_lib trm::gmock_main
)
trm_test(plugins/arc arc_tasks_test HOST
  SRCS plugins/arc/arc_tasks_test.cc
  LIBS plugins_arc_common_arc_common plugins_arc_arc_lib trm::gmock_main
)
trm_test(plugins/arc group_augmenter_test HOST SIZE medium
  SRCS plugins/arc/group_augmenter_test.cc
  LIBS plugins_arc_common_arc_common plugins_arc_arc_lib plugins_augmentations_augmentations_lib trm::gmock_main
  DATA third_party/arc_sample
)
trm_test(plugins/arc arc_builder_test HOST SIZE medium
  SRCS plugins/arc/arc_builder_test.cc
  LIBS plugins_arc_common_arc_common plugins_arc_arc_lib plugins_augmentations_augmentations_lib trm::gmock_main
  DATA tests/golden/arc_tiny
)
trm_test(plugins/arc group_augmenter_full_data_test HOST SIZE medium
  SRCS plugins/arc/group_augmenter_test.cc
  LIBS plugins_arc_common_arc_common plugins_arc_arc_lib plugins_augmentations_augmentations_lib trm::gmock_main
  DATA @arc_data
  ARGS --gtest_filter=RealTasksTest.*
  DEFINES TRM_FULL_ARC_DATA
  LABELS full_data
)
trm_test(plugins/arc arc_builder_full_data_test HOST SIZE medium
  SRCS plugins/arc/arc_builder_test.cc
  LIBS plugins_arc_common_arc_common plugins_arc_arc_lib plugins_augmentations_augmentations_lib trm::gmock_main
  DATA @arc_data
  ARGS --gtest_filter=ArcBuilderTest.Real*
  DEFINES TRM_FULL_ARC_DATA
  LABELS full_data
)

# //plugins/sudoku
trm_test(plugins/sudoku sudoku_board_test HOST
  SRCS plugins/sudoku/sudoku_board_test.cc
  LIBS plugins_sudoku_board trm::gmock_main
)
trm_test(plugins/sudoku sudoku_solver_test HOST
  SRCS plugins/sudoku/sudoku_solver_test.cc
  LIBS plugins_sudoku_solver plugins_sudoku_board trm::gmock_main
)
trm_test(plugins/sudoku sudoku_generator_test HOST
  SRCS plugins/sudoku/sudoku_generator_test.cc
  LIBS plugins_sudoku_generator plugins_sudoku_solver plugins_sudoku_board trm::gmock_main
)
trm_test(plugins/sudoku sudoku_csv_test HOST
  SRCS plugins/sudoku/sudoku_csv_test.cc
  LIBS plugins_sudoku_csv plugins_sudoku_board trm::gmock_main
  DATA plugins/sudoku/testdata/train.csv
)
trm_test(plugins/sudoku sudoku_builder_test HOST
  SRCS plugins/sudoku/sudoku_builder_test.cc
  LIBS plugins_sudoku_builder plugins_sudoku_csv plugins_sudoku_generator plugins_sudoku_solver
       plugins_sudoku_board plugins_sudoku_sudoku_cc_proto trm::gmock_main
  DATA plugins/sudoku/testdata
)
trm_sh_test(plugins/sudoku sudoku_tools_test SCRIPT plugins/sudoku/sudoku_tools_test.sh SIZE medium
  DATA
    plugins/sudoku/testdata
    plugins_sudoku_generate_sudoku
    tools_build_dataset
    tools_train
    ${TRM_PLUGINS}
)

# //plugins/recursive_reasoning
trm_test(plugins/recursive_reasoning parameter_count_test HOST
  SRCS plugins/recursive_reasoning/parameter_count_test.cc
  LIBS plugins_recursive_reasoning_architectures plugins_arc_arc_cc_proto
    plugins_evaluators_arc_evaluator_cc_proto trm::gmock_main
  DATA experiments
)
trm_test(plugins/recursive_reasoning initialization_test HOST
  SRCS plugins/recursive_reasoning/initialization_test.cc
  LIBS plugins_recursive_reasoning_architectures tools_replay_parity tests_testing_testing
    trm::gtest_main
  DATA tests/golden/hrm tests/golden/trm_att tests/golden/trm_mlp
)

# //tests/fuzz: the fuzz targets over their kept inputs (tools/fuzz.sh builds them for libFuzzer).
trm_test(tests/fuzz corpus_test HOST
  SRCS
    tests/fuzz/corpus_test.cc
    tests/fuzz/fuzz_target.cc
    tests/fuzz/arc_task_fuzzer.cc
    tests/fuzz/dataset_metadata_fuzzer.cc
    tests/fuzz/experiment_text_fuzzer.cc
    tests/fuzz/kaggle_submission_fuzzer.cc
    tests/fuzz/npy_fuzzer.cc
    tests/fuzz/set_override_fuzzer.cc
  LIBS plugins_arc_common_arc_common trm_config_test_extension_cc_proto trm::gtest_main
  DATA tests/fuzz/corpus tests/fuzz/regressions
)
trm_test(tests/fuzz corpus_torch_test
  SRCS
    tests/fuzz/corpus_test.cc
    tests/fuzz/fuzz_target.cc
    tests/fuzz/pickle_fuzzer.cc
    tests/fuzz/safetensors_fuzzer.cc
  LIBS trm::gtest_main
  DATA tests/fuzz/corpus tests/fuzz/regressions
)
