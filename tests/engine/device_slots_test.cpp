// tt::torch::device_slots: trials spread over devices, each taking the least busy one (ties: the
// first), given back when its lease ends; threads taking and giving back at once lose nothing
// (this test runs under ThreadSanitizer with the engine's).
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <vector>

#include "typetune/torch/device_slots.hpp"

using typetune::torch::device_slots;

TEST_CASE("device_slots: the least busy device, ties to the first, given back when the lease ends") {
  device_slots slots(2);
  auto a = slots.take();
  auto b = slots.take();
  CHECK(a.index() == 0);
  CHECK(b.index() == 1);
  {
    auto c = slots.take();
    CHECK(c.index() == 0);
    CHECK(slots.busy() == std::vector<std::size_t>{2, 1});
  }
  CHECK(slots.busy() == std::vector<std::size_t>{1, 1});
  {
    auto moved = std::move(a);  // a lease moves with its trial; the device is given back once
    CHECK(moved.index() == 0);
  }
  CHECK(slots.busy() == std::vector<std::size_t>{0, 1});
  auto d = slots.take();
  CHECK(d.index() == 0);
  auto pinned = slots.take(1);  // a resumed trial stays on its model's device, however busy
  CHECK(pinned.index() == 1);
  CHECK(slots.busy() == std::vector<std::size_t>{1, 2});
  CHECK_THROWS_WITH(slots.take(2), Catch::Contains("device 2 of 2"));
  CHECK_THROWS_WITH(device_slots(0), Catch::Contains("no device"));
}

TEST_CASE("device_slots: 4 threads taking and giving back 2 devices, nothing lost") {
  device_slots slots(2);
  std::atomic<int> over{0};
  std::vector<std::jthread> threads;
  for (int w = 0; w < 4; ++w) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        const auto lease = slots.take();
        const auto busy = slots.busy();
        if (busy[0] + busy[1] > 4 || busy[lease.index()] == 0) ++over;
      }
    });
  }
  threads.clear();  // joins
  CHECK(over.load() == 0);
  CHECK(slots.busy() == std::vector<std::size_t>{0, 0});
}
