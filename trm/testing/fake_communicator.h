// An in-process world of N ranks for tests of distributed code: each rank is a Communicator used
// from its own thread, and every collective blocks until all ranks have called it, like Gloo.
#ifndef TRM_TESTING_FAKE_COMMUNICATOR_H_
#define TRM_TESTING_FAKE_COMMUNICATOR_H_

#include <functional>
#include <memory>
#include <vector>

#include "trm/distributed/communicator.h"

namespace trm::testing {

// The communicators of ranks 0 .. world_size-1 of one world.
std::vector<std::unique_ptr<Communicator>> MakeFakeWorld(int world_size);

// Runs body(rank, communicator) on one thread per rank and joins them.
void RunOnFakeWorld(int world_size, const std::function<void(int, Communicator&)>& body);

}  // namespace trm::testing

#endif  // TRM_TESTING_FAKE_COMMUNICATOR_H_
