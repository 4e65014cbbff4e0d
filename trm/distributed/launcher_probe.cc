// Worker for launcher_test: writes its rendezvous environment to <dir>/rank<RANK>.txt, then
// exits with <fail_status> if it is <fail_rank>, else sleeps <sleep_seconds> and exits 0.
// Usage: launcher_probe <dir> <fail_rank> <fail_status> <sleep_seconds>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

int main(int argc, char** argv) {
  if (argc != 5) return 64;
  auto get = [](const char* name) {
    const char* value = std::getenv(name);
    return std::string(value ? value : "");
  };
  const std::string rank = get("RANK");
  std::ofstream(std::string(argv[1]) + "/rank" + rank + ".txt")
      << get("RANK") << " " << get("LOCAL_RANK") << " " << get("WORLD_SIZE") << " "
      << get("MASTER_ADDR") << " " << get("MASTER_PORT") << " " << get("OMP_WAIT_POLICY") << "\n";
  if (rank == argv[2]) return std::atoi(argv[3]);
  sleep(static_cast<unsigned>(std::atoi(argv[4])));
  return 0;
}
