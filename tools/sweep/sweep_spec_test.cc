#include "tools/sweep/sweep_spec.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "trm/config/experiment_loader.h"
#include "trm/plugin/plugin_loader.h"

namespace trm::sweep {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Sweep Parse(const std::string& text) {
  Sweep sweep;
  absl::Status status = config::ParseTextProto(text, "test.textproto", &sweep);
  EXPECT_TRUE(status.ok()) << status;
  if (!sweep.has_name()) sweep.set_name("test");
  return sweep;
}

class SweepSpecTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // The real plugins, so that plugin names are checked as the sweep tool checks them.
    const absl::Status loaded = GlobalPluginLoader().LoadDirectory("plugins");
    ASSERT_TRUE(loaded.ok()) << loaded;
  }
};

TEST_F(SweepSpecTest, ExpandsVariantsTimesGridTimesSeeds) {
  const Sweep sweep = Parse(R"pb(
    experiment: "arc2_trm_tiny"
    set: "train.max_steps=8"
    variants { name: "base" }
    variants { name: "no_ema" set: "ema.enabled=false" }
    grid { path: "arch.L_cycles" values: ["1", "2", "3"] }
    grid { path: "optimizer.lr" values: ["1e-3", "1e-4"] label: "lr" }
    seeds: [0, 7]
  )pb");
  absl::StatusOr<std::vector<SweepRun>> runs = ExpandSweep(sweep);
  ASSERT_TRUE(runs.ok()) << runs.status();
  ASSERT_EQ(runs->size(), 2u * 3 * 2 * 2);
  const SweepRun& first = (*runs)[0];
  EXPECT_EQ(first.name, "base-L_cycles1-lr1e-3-seed0");
  EXPECT_THAT(first.overrides, ElementsAre("train.max_steps=8", "arch.L_cycles=1",
                                           "optimizer.lr=1e-3", "train.seed=0"));
  EXPECT_EQ((*runs)[1].name, "base-L_cycles1-lr1e-3-seed7");
  EXPECT_EQ((*runs)[2].name, "base-L_cycles1-lr1e-4-seed0");
  const SweepRun& last = runs->back();
  EXPECT_EQ(last.index, 23);
  EXPECT_EQ(last.name, "no_ema-L_cycles3-lr1e-4-seed7");
  EXPECT_EQ(last.variant, "no_ema");
  EXPECT_FALSE(last.experiment.ema().enabled());
  EXPECT_EQ(last.experiment.arch().l_cycles(), 3);
  EXPECT_DOUBLE_EQ(last.experiment.optimizer().lr(), 1e-4);
  EXPECT_EQ(last.experiment.train().seed(), 7);
  EXPECT_EQ(last.experiment.train().max_steps(), 8);
  EXPECT_TRUE(first.experiment.ema().enabled());
}

TEST_F(SweepSpecTest, WithoutVariantsOrSeedsThereIsOneBaseRunWithTheExperimentsSeed) {
  absl::StatusOr<std::vector<SweepRun>> runs = ExpandSweep(Parse(R"pb(experiment: "arc2_trm_tiny")pb"));
  ASSERT_TRUE(runs.ok()) << runs.status();
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].name, "base-seed0");
}

TEST_F(SweepSpecTest, UnknownFieldInAVariantIsAnErrorNamingTheVariant) {
  absl::StatusOr<std::vector<SweepRun>> runs = ExpandSweep(Parse(R"pb(
    experiment: "arc2_trm_tiny"
    variants { name: "base" }
    variants { name: "bad_path" set: "ema.enabeld=false" }
  )pb"));
  ASSERT_FALSE(runs.ok());
  EXPECT_THAT(runs.status().message(), HasSubstr("variant 'bad_path'"));
  EXPECT_THAT(runs.status().message(), HasSubstr("enabeld"));
  EXPECT_THAT(runs.status().message(), HasSubstr("enabled"));  // did you mean
}

TEST_F(SweepSpecTest, BadValueInAVariantIsAnErrorNamingTheVariant) {
  absl::StatusOr<std::vector<SweepRun>> runs = ExpandSweep(Parse(R"pb(
    experiment: "arc2_trm_tiny"
    variants { name: "neg" set: "arch.L_cycles=-1" }
  )pb"));
  ASSERT_FALSE(runs.ok());
  EXPECT_THAT(runs.status().message(), HasSubstr("variant 'neg'"));
  EXPECT_THAT(runs.status().message(), HasSubstr("arch.L_cycles"));

  runs = ExpandSweep(Parse(R"pb(
    experiment: "arc2_trm_tiny"
    variants { name: "typo" set: "ema.enabled=maybe" }
  )pb"));
  ASSERT_FALSE(runs.ok());
  EXPECT_THAT(runs.status().message(), HasSubstr("variant 'typo'"));
}

TEST_F(SweepSpecTest, UnknownPluginIsAnErrorNamingTheVariantAndTheField) {
  absl::StatusOr<std::vector<SweepRun>> runs = ExpandSweep(Parse(R"pb(
    experiment: "arc2_trm_tiny"
    variants { name: "typo_arch" set: "arch.name=trm_singelz" }
  )pb"));
  ASSERT_FALSE(runs.ok());
  EXPECT_THAT(runs.status().message(), HasSubstr("variant 'typo_arch'"));
  EXPECT_THAT(runs.status().message(), HasSubstr("arch.name"));
  EXPECT_THAT(runs.status().message(), HasSubstr("trm_singlez"));
}

TEST_F(SweepSpecTest, ArchitectureFieldsAreCheckedByItsFactory) {
  absl::StatusOr<std::vector<SweepRun>> runs = ExpandSweep(Parse(R"pb(
    experiment: "arc2_trm_tiny"
    variants { name: "transformer" set: ["arch.name=transformer_baseline", "arch.H_layers=0"] }
  )pb"));
  ASSERT_FALSE(runs.ok());
  EXPECT_THAT(runs.status().message(), HasSubstr("variant 'transformer'"));
  EXPECT_THAT(runs.status().message(), HasSubstr("H_layers: must be at least 1"));
}

TEST_F(SweepSpecTest, BadGridValueNamesTheGridPoint) {
  absl::StatusOr<std::vector<SweepRun>> runs = ExpandSweep(Parse(R"pb(
    experiment: "arc2_trm_tiny"
    grid { path: "arch.hidden_size" values: ["32", "big"] }
  )pb"));
  ASSERT_FALSE(runs.ok());
  EXPECT_THAT(runs.status().message(), HasSubstr("variant 'base' hidden_size=big"));
}

TEST_F(SweepSpecTest, StructuralErrorsNameTheField) {
  struct Case {
    const char* text;
    const char* error;
  };
  for (const Case& c : std::vector<Case>{
           {R"pb(variants { name: "a" })pb", "sweep field experiment"},
           {R"pb(experiment: "x" variants { name: "a" } variants { name: "a" })pb",
            "variants[1].name: variant 'a' is defined twice"},
           {R"pb(experiment: "x" variants { name: "a b" })pb", "variants[0].name"},
           {R"pb(experiment: "x" grid { path: "arch.L_cycles" })pb", "grid[0].values"},
           {R"pb(experiment: "x" seeds: [1, 1])pb", "seeds: has a seed twice"},
           {R"pb(experiment: "x" metrics { name: "a" reduce: AT_STEP })pb", "metrics[0].step"},
           {R"pb(experiment: "x" variants { name: "a" } baseline: "b")pb", "baseline"},
           {R"pb(experiment: "x" slurm { tasks_per_run: 0 })pb", "slurm.tasks_per_run"},
       }) {
    absl::Status status = ValidateSweep(Parse(c.text));
    EXPECT_THAT(status.message(), HasSubstr(c.error)) << c.text;
  }
}

TEST_F(SweepSpecTest, TheShippedSweepsExpand) {
  for (const char* name : {"smoke_tiny", "trm_ablations_cpu"}) {
    absl::StatusOr<Sweep> sweep = LoadSweep(name);
    ASSERT_TRUE(sweep.ok()) << sweep.status();
    absl::StatusOr<std::vector<SweepRun>> runs = ExpandSweep(*sweep);
    ASSERT_TRUE(runs.ok()) << name << ": " << runs.status();
    EXPECT_GE(runs->size(), 4u) << name;
  }
  absl::StatusOr<Sweep> missing = LoadSweep("no_such_sweep");
  EXPECT_THAT(missing.status().message(), HasSubstr("unknown sweep 'no_such_sweep'"));
  EXPECT_THAT(missing.status().message(), HasSubstr("smoke_tiny"));
}

}  // namespace
}  // namespace trm::sweep
