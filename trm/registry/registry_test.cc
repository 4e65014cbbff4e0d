#include "trm/registry/registry.h"

#include <memory>
#include <stdexcept>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace trm {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct Shape {
  virtual ~Shape() = default;
  virtual double Area() const = 0;
};

struct Square : Shape {
  explicit Square(double side) : side(side) {}
  double Area() const override { return side * side; }
  double side;
};

struct Circle : Shape {
  explicit Circle(double radius) : radius(radius) {}
  double Area() const override { return 3.0 * radius * radius; }
  double radius;
};

TRM_DECLARE_REGISTRY(ShapeRegistry, Shape, double);
TRM_DEFINE_REGISTRY(ShapeRegistry, "test shapes", Shape, double);

TEST(RegistryTest, CreatesRegisteredObjectsWithArguments) {
  Registry<Shape, double> registry("shapes");
  ASSERT_TRUE(registry.Register("square", [](double s) { return std::make_unique<Square>(s); }).ok());
  ASSERT_TRUE(registry.Register("circle", [](double r) { return std::make_unique<Circle>(r); }).ok());
  auto square = registry.Create("square", 3.0);
  ASSERT_TRUE(square.ok()) << square.status();
  EXPECT_DOUBLE_EQ((*square)->Area(), 9.0);
  EXPECT_THAT(registry.Keys(), ElementsAre("circle", "square"));
  EXPECT_TRUE(registry.Has("circle"));
  EXPECT_FALSE(registry.Has("triangle"));
}

TEST(RegistryTest, DuplicateNameIsAnErrorNamingBothOrigins) {
  Registry<Shape, double> registry("shapes");
  auto factory = [](double s) { return std::make_unique<Square>(s); };
  ASSERT_TRUE(registry.Register("square", factory, "", "plugin_a").ok());
  absl::Status status = registry.Register("square", factory, "", "plugin_b");
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(status.message(), HasSubstr("plugin 'plugin_a'"));
  EXPECT_THAT(status.message(), HasSubstr("plugin 'plugin_b'"));
  // The first registration stays in place.
  EXPECT_DOUBLE_EQ((*registry.Create("square", 2.0))->Area(), 4.0);
}

TEST(RegistryTest, UnknownNameListsRegisteredNamesAndSuggests) {
  Registry<Shape, double> registry("shapes");
  ASSERT_TRUE(registry.Register("square", [](double s) { return std::make_unique<Square>(s); }).ok());
  ASSERT_TRUE(registry.Register("circle", [](double r) { return std::make_unique<Circle>(r); }).ok());
  auto result = registry.Create("squre", 1.0);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(result.status().message(),
            "unknown shapes 'squre' (did you mean 'square'?); registered: circle, square");
}

TEST(RegistryTest, EmptyRegistrySaysSo) {
  Registry<Shape, double> registry("shapes");
  auto result = registry.Create("square", 1.0);
  EXPECT_THAT(result.status().message(), HasSubstr("registered: none"));
}

TEST(RegistryTest, NullFactoryResultIsAnError) {
  Registry<Shape, double> registry("shapes");
  ASSERT_TRUE(registry.Register("broken", [](double) { return std::unique_ptr<Shape>(); }).ok());
  EXPECT_EQ(registry.Create("broken", 1.0).status().code(), absl::StatusCode::kInternal);
}

TEST(RegistryTest, FactoryExceptionBecomesOneLineInvalidArgument) {
  Registry<Shape, double> registry("shapes");
  ASSERT_TRUE(registry
                  .Register("square",
                            [](double side) -> std::unique_ptr<Shape> {
                              if (side < 0) throw std::invalid_argument("side: negative\ndetails");
                              return std::make_unique<Square>(side);
                            })
                  .ok());
  auto result = registry.Create("square", -1.0);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message(), "shapes 'square': side: negative");
  EXPECT_TRUE(registry.Create("square", 1.0).ok());
}

TEST(RegistryTest, DefinedRegistriesAreListedFromProgramStart) {
  bool found = false;
  for (RegistryBase* registry : AllRegistries()) {
    if (registry->kind() == "test shapes") {
      found = true;
      EXPECT_EQ(registry, &ShapeRegistry());
    }
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace trm
