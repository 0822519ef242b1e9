// The in-memory trial store: a vector indexed by trial number.
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "typetune/engine/trial_store.hpp"

namespace typetune {
namespace {

class memory_store final : public trial_store {
 public:
  std::uint64_t next_number() const override { return trials_.size(); }

  void add(trial_record record) override {
    if (record.number != trials_.size()) {
      throw std::invalid_argument("typetune: memory_store::add expects trial " +
                                  std::to_string(trials_.size()) + ", got " +
                                  std::to_string(record.number));
    }
    trials_.push_back(std::move(record));
  }

  void report(std::uint64_t number, std::int64_t step, double value) override {
    mutable_get(number).intermediate[step] = value;
  }

  void set_metric(std::uint64_t number, std::string name, double value) override {
    mutable_get(number).metrics[std::move(name)] = value;
  }

  void finish(std::uint64_t number, trial_state state, std::optional<double> value,
              std::string message, double duration_s) override {
    auto& t = mutable_get(number);
    t.state = state;
    t.value = value;
    t.message = std::move(message);
    t.duration_s = duration_s;
  }

  const trial_record& get(std::uint64_t number) const override {
    if (number >= trials_.size()) {
      throw std::out_of_range("typetune: no trial " + std::to_string(number));
    }
    return trials_[number];
  }

  std::span<const trial_record> all() const override { return trials_; }

 private:
  trial_record& mutable_get(std::uint64_t number) {
    return const_cast<trial_record&>(std::as_const(*this).get(number));
  }

  std::vector<trial_record> trials_;
};

}  // namespace

std::unique_ptr<trial_store> make_memory_store() { return std::make_unique<memory_store>(); }

}  // namespace typetune
