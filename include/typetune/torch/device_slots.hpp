// Trials spread over devices: each trial takes the device that runs the fewest trials when it
// starts (ties: the first listed) and gives it back when it ends, so that the workers of one
// process share a node's GPUs evenly (tuner_options::devices). It knows devices by their index
// in that list only, so it needs no LibTorch (and is tested without it).
#pragma once

#include <algorithm>
#include <cstddef>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace typetune::torch {

class device_slots {
 public:
  explicit device_slots(std::size_t devices) : busy_(devices, 0) {
    if (devices == 0) throw std::invalid_argument("typetune: device_slots: no device to spread trials over");
  }
  device_slots(const device_slots&) = delete;
  device_slots& operator=(const device_slots&) = delete;

  // A device taken for one trial, given back when the lease ends.
  class lease {
   public:
    lease(lease&& other) noexcept : slots_(other.slots_), index_(other.index_) { other.slots_ = nullptr; }
    lease& operator=(lease&&) = delete;
    lease(const lease&) = delete;
    lease& operator=(const lease&) = delete;
    ~lease() {
      if (slots_ != nullptr) slots_->give_back(index_);
    }
    [[nodiscard]] std::size_t index() const noexcept { return index_; }

   private:
    friend class device_slots;
    lease(device_slots* slots, std::size_t index) : slots_(slots), index_(index) {}
    device_slots* slots_;
    std::size_t index_;
  };

  // The least busy device (ties: the lowest index).
  [[nodiscard]] lease take() {
    std::lock_guard lock(mutex_);
    const auto at = static_cast<std::size_t>(std::min_element(busy_.begin(), busy_.end()) - busy_.begin());
    ++busy_[at];
    return lease(this, at);
  }
  // Device `index` whatever its load: a resumed trial stays where its model is.
  [[nodiscard]] lease take(std::size_t index) {
    std::lock_guard lock(mutex_);
    if (index >= busy_.size()) {
      throw std::out_of_range("typetune: device_slots: device " + std::to_string(index) + " of " +
                              std::to_string(busy_.size()));
    }
    ++busy_[index];
    return lease(this, index);
  }
  // Trials running on each device now.
  [[nodiscard]] std::vector<std::size_t> busy() const {
    std::lock_guard lock(mutex_);
    return busy_;
  }
  [[nodiscard]] std::size_t size() const noexcept { return busy_.size(); }

 private:
  void give_back(std::size_t index) {
    std::lock_guard lock(mutex_);
    --busy_[index];
  }

  mutable std::mutex mutex_;
  std::vector<std::size_t> busy_;
};

}  // namespace typetune::torch
