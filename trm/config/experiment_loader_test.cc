#include "trm/config/experiment_loader.h"

#include <cstdlib>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "trm/config/testdata/test_extension.pb.h"

namespace trm::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// Plugin settings here come from a test extension ([trm.config.testing.test_data]); the shipped
// experiments, with the real plugins' extensions, are //experiments:experiments_test's.
constexpr char kExperiment[] = "trm/config/testdata/loader_test.textproto";

std::string WriteTemp(const std::string& name, const std::string& text) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(ExperimentLoaderTest, ExperimentFileLoads) {
  auto experiment = LoadExperiment(kExperiment, {});
  ASSERT_TRUE(experiment.ok()) << experiment.status();
  EXPECT_EQ(experiment->name(), "loader_test");
  EXPECT_EQ(experiment->arch().name(), "trm");
  EXPECT_EQ(experiment->arch().h_cycles(), 3);
  EXPECT_EQ(experiment->arch().l_cycles(), 4);
  EXPECT_EQ(experiment->arch().l_layers(), 2);
  EXPECT_EQ(experiment->arch().hidden_size(), 512);
  EXPECT_EQ(experiment->train().global_batch_size(), 768);
  EXPECT_EQ(experiment->train().epochs(), 100000);
  EXPECT_EQ(experiment->train().eval_interval(), 10000);
  EXPECT_DOUBLE_EQ(experiment->optimizer().lr(), 1e-4);
  EXPECT_DOUBLE_EQ(experiment->puzzle_emb_optimizer().lr(), 1e-2);
  EXPECT_TRUE(experiment->ema().enabled());
  EXPECT_THAT(experiment->data().GetExtension(testing::test_data).subsets(),
              ElementsAre("training2", "evaluation2", "concept"));
  EXPECT_EQ(experiment->evaluators(0).name(), "test_evaluator");
}

TEST(ExperimentLoaderTest, OverridesAreTyped) {
  auto experiment = LoadExperiment(
      kExperiment, {"arch.L_cycles=6", "arch.forward_dtype=float32", "ema.enabled=false",
                   "optimizer.lr=3e-4", "data.[trm.config.testing.test_data].subsets=training,evaluation",
                   "evaluators[0].name=exact_match", "evaluators[1]={name: \"arc\"}",
                   "data.[trm.config.testing.test_data].filter.max_side=10", "arch.name='hrm'"});
  ASSERT_TRUE(experiment.ok()) << experiment.status();
  EXPECT_EQ(experiment->arch().l_cycles(), 6);
  EXPECT_EQ(experiment->arch().forward_dtype(), "float32");
  EXPECT_FALSE(experiment->ema().enabled());
  EXPECT_DOUBLE_EQ(experiment->optimizer().lr(), 3e-4);
  EXPECT_THAT(experiment->data().GetExtension(testing::test_data).subsets(),
              ElementsAre("training", "evaluation"));
  EXPECT_EQ(experiment->evaluators(0).name(), "exact_match");
  ASSERT_EQ(experiment->evaluators_size(), 2);
  EXPECT_EQ(experiment->evaluators(1).name(), "arc");
  EXPECT_EQ(experiment->data().GetExtension(testing::test_data).filter().max_side(), 10);
  EXPECT_EQ(experiment->arch().name(), "hrm");
}

TEST(ExperimentLoaderTest, ReadFieldGivesValuesAsText) {
  Experiment e;
  ASSERT_TRUE(ApplyOverride("arch.L_cycles=6", &e).ok());
  ASSERT_TRUE(ApplyOverride("data.[trm.config.testing.test_data].subsets=a,b", &e).ok());
  ASSERT_TRUE(ApplyOverride("evaluators[0]={name: \"arc\"}", &e).ok());
  EXPECT_EQ(ReadField(e, "arch.L_cycles").value(), "6");
  EXPECT_EQ(ReadField(e, "arch.forward_dtype").value(), "bfloat16");  // unset: the default
  EXPECT_EQ(ReadField(e, "ema.enabled").value(), "false");
  EXPECT_EQ(ReadField(e, "data.[trm.config.testing.test_data].retries").value(), "5");
  EXPECT_EQ(ReadField(e, "data.[trm.config.testing.test_data].subsets[1]").value(), "b");
  EXPECT_EQ(ReadField(e, "data.[trm.config.testing.test_data].filter.max_side").value(), "0");
  EXPECT_EQ(ReadField(e, "evaluators[0].name").value(), "arc");
  EXPECT_EQ(ReadField(e, "evaluators[0]").value(), "name: \"arc\"");

  EXPECT_THAT(std::string(ReadField(e, "arch.L_cycle").status().message()),
              HasSubstr("L_cycles"));
  EXPECT_THAT(std::string(ReadField(e, "evaluators[3].name").status().message()),
              HasSubstr("the list has 1 entries"));
  EXPECT_THAT(std::string(ReadField(e, "data.[trm.config.testing.test_data].subsets")
                              .status()
                              .message()),
              HasSubstr("is repeated: index it"));
  EXPECT_THAT(std::string(ReadField(e, "arch.L_cycles.x").status().message()),
              HasSubstr("not a message"));
}

TEST(ExperimentLoaderTest, UnknownFieldSuggestsClosestNames) {
  Experiment e;
  absl::Status status = ApplyOverride("arch.L_cycle=6", &e);
  EXPECT_EQ(status.message(),
            "--set arch.L_cycle=6: ArchConfig has no field 'L_cycle' (did you mean 'L_cycles' or "
            "'H_cycles'?)");
  status = ApplyOverride("arch.bogus=1", &e);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("ArchConfig has no field 'bogus'; its fields are: name, "));
  status = ApplyOverride("archh.L_cycles=1", &e);
  EXPECT_THAT(status.message(), HasSubstr("Experiment has no field 'archh' (did you mean 'arch'?)"));
}

TEST(ExperimentLoaderTest, BadValuesAndPathsAreErrors) {
  Experiment e;
  EXPECT_THAT(ApplyOverride("arch.L_cycles=six", &e).message(),
              HasSubstr("'six' is not a valid int32 for L_cycles"));
  EXPECT_THAT(ApplyOverride("ema.enabled=maybe", &e).message(),
              HasSubstr("is not a valid bool"));
  EXPECT_THAT(ApplyOverride("arch.L_cycles", &e).message(), HasSubstr("expected path=value"));
  EXPECT_THAT(ApplyOverride("arch.L_cycles.x=1", &e).message(), HasSubstr("not a message"));
  EXPECT_THAT(ApplyOverride("arch=3", &e).message(), HasSubstr("give a text proto in braces"));
  EXPECT_THAT(ApplyOverride("evaluators.name=arc", &e).message(), HasSubstr("index it"));
  EXPECT_THAT(ApplyOverride("evaluators[5].name=arc", &e).message(),
              HasSubstr("the list has 0 entries"));
  EXPECT_THAT(ApplyOverride("arch.hidden_size[0]=1", &e).message(), HasSubstr("not repeated"));
  EXPECT_THAT(ApplyOverride("arch={bogus: 1}", &e).message(),
              HasSubstr("ArchConfig has no field 'bogus'"));
}

TEST(ExperimentLoaderTest, ValidationCatchesInconsistentValues) {
  auto bad = LoadExperiment(kExperiment, {"train.eval_interval=3000"});
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("train.eval_interval: 3000 does not divide"));
  bad = LoadExperiment(kExperiment, {"arch.forward_dtype=float16"});
  EXPECT_THAT(bad.status().message(), HasSubstr("arch.forward_dtype"));
  bad = LoadExperiment(kExperiment, {"arch.pos_encodings=alibi"});
  EXPECT_THAT(bad.status().message(), HasSubstr("not one of rope, learned, none"));
}

TEST(ExperimentLoaderTest, MalformedTextProtoIsOneLineWithPosition) {
  const std::string path = WriteTemp("broken.textproto", "name: \"x\"\narch {\n  hidden_size: oops\n}\n");
  auto experiment = LoadExperiment(path, {});
  ASSERT_FALSE(experiment.ok());
  EXPECT_THAT(experiment.status().message(), HasSubstr(path + ":3:"));
  EXPECT_THAT(experiment.status().message(), HasSubstr("oops"));
  EXPECT_THAT(experiment.status().message(), Not(HasSubstr("\n")));

  const std::string unknown = WriteTemp("unknown.textproto", "arch {\n  hiden_size: 3\n}\n");
  experiment = LoadExperiment(unknown, {});
  ASSERT_FALSE(experiment.ok());
  EXPECT_THAT(experiment.status().message(),
              HasSubstr(":2:13: ArchConfig has no field 'hiden_size' (did you mean 'hidden_size'?)"));
}

TEST(ExperimentLoaderTest, UnknownExperimentListsKnownOnes) {
  auto experiment = LoadExperiment("arc2_trn", {});
  ASSERT_FALSE(experiment.ok());
  EXPECT_EQ(experiment.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(experiment.status().message(), HasSubstr("unknown experiment 'arc2_trn'"));
  EXPECT_THAT(experiment.status().message(), HasSubstr("did you mean 'arc2_trm'"));
  EXPECT_THAT(experiment.status().message(), HasSubstr("known experiments: "));
}

TEST(ExperimentLoaderTest, PrintedConfigIsCompleteAndParsesBack) {
  auto experiment = LoadExperiment(kExperiment, {});
  ASSERT_TRUE(experiment.ok());
  const std::string text = ExperimentToText(*experiment);
  // Defaults that the file leaves implicit are printed too, in extensions it sets as well.
  EXPECT_THAT(text, HasSubstr("retries: 5"));
  EXPECT_THAT(text, HasSubstr("bucket_mb: 25"));
  Experiment reparsed;
  ASSERT_TRUE(ParseTextProto(text, "printed", &reparsed).ok());
  EXPECT_EQ(reparsed.arch().l_cycles(), 4);
  EXPECT_EQ(ExperimentToText(reparsed), text);
}

}  // namespace
}  // namespace trm::config
