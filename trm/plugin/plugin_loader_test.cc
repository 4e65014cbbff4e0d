#include "trm/plugin/plugin_loader.h"

#include <dlfcn.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/cpp/runfiles/runfiles.h"
#include "trm/plugin/plugin_api.h"
#include "trm/plugin/testdata/greeter.h"

namespace trm::testing {

TRM_DEFINE_REGISTRY(GreeterRegistry, "greeters", Greeter, const std::string&);

namespace {

using ::bazel::tools::cpp::runfiles::Runfiles;
using ::testing::HasSubstr;
using ::testing::Not;

std::string TestPlugin(const std::string& name) {
  std::string error;
  std::unique_ptr<Runfiles> runfiles(Runfiles::CreateForTest(&error));
  EXPECT_NE(runfiles, nullptr) << error;
  return runfiles->Rlocation("trm/trm/plugin/testdata/libtrm_" + name + ".so");
}

TEST(PluginLoaderTest, RegistrationsReachTheHostsSingleRegistry) {
  PluginLoader loader;
  auto loaded = loader.Load(TestPlugin("test_hello"));
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->name, "test_hello");
  EXPECT_EQ((*loaded)->description, "test plugin: one greeter");

  // The host's registry (defined in this binary) now holds the plugin's object...
  auto greeter = GreeterRegistry().Create("hello", "world");
  ASSERT_TRUE(greeter.ok()) << greeter.status();
  EXPECT_EQ((*greeter)->Greet(), "hello world");
  EXPECT_EQ(GreeterRegistry().Entries().front().origin, "test_hello");

  // ...and the plugin's view of the registry is the very same object, not a copy of its own.
  using AddressFn = const void* (*)();
  auto address = reinterpret_cast<AddressFn>(dlsym((*loaded)->handle, "hello_plugin_registry_address"));
  ASSERT_NE(address, nullptr);
  EXPECT_EQ(address(), static_cast<const void*>(&GreeterRegistry()));

  // Loading the same file again is a no-op.
  auto again = loader.Load(TestPlugin("test_hello"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *loaded);
  EXPECT_EQ(loader.plugins().size(), 1u);

  // A second plugin that claims a taken name is refused with a message naming both.
  auto clash = loader.Load(TestPlugin("test_clash"));
  ASSERT_FALSE(clash.ok());
  EXPECT_THAT(clash.status().message(), HasSubstr("libtrm_test_clash.so"));
  EXPECT_THAT(clash.status().message(), HasSubstr("registered twice"));
  EXPECT_EQ((*GreeterRegistry().Create("hello", "x"))->Greet(), "hello x");
}

void ExpectOneLineErrorNaming(const absl::Status& status, const std::string& file,
                              const std::string& what) {
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr(file));
  EXPECT_THAT(status.message(), HasSubstr(what));
  EXPECT_THAT(status.message(), Not(HasSubstr("\n")));
}

TEST(PluginLoaderTest, MissingFile) {
  PluginLoader loader;
  ExpectOneLineErrorNaming(loader.Load("/nonexistent/libtrm_nothing.so").status(),
                           "/nonexistent/libtrm_nothing.so", "no such file");
}

TEST(PluginLoaderTest, WrongApiVersionIsRefused) {
  PluginLoader loader;
  const std::string path = TestPlugin("test_wrong_version");
  ExpectOneLineErrorNaming(loader.Load(path).status(), path, "plugin API version 999");
  EXPECT_TRUE(loader.plugins().empty());
}

TEST(PluginLoaderTest, OtherCudanessIsRefused) {
  PluginLoader loader;
  const std::string path = TestPlugin("test_other_cuda");
  ExpectOneLineErrorNaming(loader.Load(path).status(), path,
                           TRM_PLUGIN_CUDA ? "built without CUDA but the host was built with CUDA"
                                           : "built with CUDA but the host was built without CUDA");
  EXPECT_TRUE(loader.plugins().empty());
}

TEST(PluginLoaderTest, MissingEntryPointIsRefused) {
  PluginLoader loader;
  const std::string path = TestPlugin("test_no_entry");
  ExpectOneLineErrorNaming(loader.Load(path).status(), path, "missing entry point 'trm_plugin_entry'");
}

TEST(PluginLoaderTest, UnresolvedSymbolIsRefused) {
  PluginLoader loader;
  const std::string path = TestPlugin("test_unresolved");
  ExpectOneLineErrorNaming(loader.Load(path).status(), path, "trm_symbol_that_does_not_exist");
}

TEST(PluginLoaderTest, NotASharedObjectIsRefused) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/libtrm_garbage.so";
  std::ofstream(path) << "this is not an ELF file";
  PluginLoader loader;
  ExpectOneLineErrorNaming(loader.Load(path).status(), path, "cannot load");
}

TEST(PluginLoaderTest, LoadByNameSearchesDirectories) {
  PluginLoader loader;
  const std::string dir = std::filesystem::path(TestPlugin("test_hello")).parent_path().string();
  EXPECT_TRUE(loader.LoadByNameOrPath("test_wrong_version", {dir}).message().find("API version") !=
              std::string::npos);
  absl::Status missing = loader.LoadByNameOrPath("no_such_plugin", {dir});
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.message(), HasSubstr("libtrm_no_such_plugin.so"));
  EXPECT_THAT(FindPluginFiles(dir), ::testing::Contains(HasSubstr("libtrm_test_hello.so")));
}

}  // namespace
}  // namespace trm::testing
