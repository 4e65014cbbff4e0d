#include "plugins/sudoku/sudoku_generator.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugins/sudoku/sudoku_solver.h"

namespace trm::sudoku {
namespace {

using ::testing::HasSubstr;

class GeneratorGivensTest : public ::testing::TestWithParam<int> {};

TEST_P(GeneratorGivensTest, ExactGivensAndAUniqueSolutionEqualToTheAnswer) {
  const int givens = GetParam();
  NumpyRandomState rng(static_cast<uint32_t>(givens));
  absl::StatusOr<std::vector<GeneratedPuzzle>> puzzles = GeneratePuzzles(20, givens, rng);
  ASSERT_TRUE(puzzles.ok()) << puzzles.status();
  ASSERT_EQ(puzzles->size(), 20u);
  for (const GeneratedPuzzle& p : *puzzles) {
    EXPECT_EQ(CountGivens(p.question), givens);
    EXPECT_EQ(SolutionError(p.answer), "");
    EXPECT_EQ(GivensError(p.question, p.answer), "");
    const SolveResult solved = CountSolutions(p.question, 2);
    EXPECT_EQ(solved.solutions, 1);
    EXPECT_EQ(solved.solution, p.answer);
    EXPECT_EQ(p.rating, solved.nodes - (81 - givens) - 1);
    EXPECT_GE(p.rating, 0);
  }
}

INSTANTIATE_TEST_SUITE_P(Givens, GeneratorGivensTest, ::testing::Values(25, 30, 45, 80, 81));

TEST(GeneratorTest, DeterministicForASeed) {
  NumpyRandomState a(3), b(3), c(4);
  auto first = GeneratePuzzles(5, 30, a), again = GeneratePuzzles(5, 30, b),
       other = GeneratePuzzles(5, 30, c);
  ASSERT_TRUE(first.ok() && again.ok() && other.ok());
  for (int k = 0; k < 5; ++k) {
    EXPECT_EQ((*first)[k].question, (*again)[k].question);
    EXPECT_EQ((*first)[k].answer, (*again)[k].answer);
  }
  EXPECT_NE((*first)[0].answer, (*other)[0].answer);
  EXPECT_NE((*first)[0].answer, (*first)[1].answer);
}

TEST(GeneratorTest, HarderAtFewerGivens) {
  NumpyRandomState rng(8);
  auto easy = GeneratePuzzles(20, 45, rng), hard = GeneratePuzzles(20, 25, rng);
  ASSERT_TRUE(easy.ok() && hard.ok());
  int64_t easy_total = 0, hard_total = 0;
  for (const auto& p : *easy) easy_total += p.rating;
  for (const auto& p : *hard) hard_total += p.rating;
  EXPECT_LT(easy_total, hard_total);
}

TEST(GeneratorTest, RejectsGivensOutsideTheRange) {
  NumpyRandomState rng(0);
  for (int givens : {16, 82}) {
    absl::StatusOr<std::vector<GeneratedPuzzle>> puzzles = GeneratePuzzles(1, givens, rng);
    EXPECT_FALSE(puzzles.ok());
    EXPECT_THAT(puzzles.status().message(), HasSubstr("must be in [17, 81]"));
  }
}

}  // namespace
}  // namespace trm::sudoku
