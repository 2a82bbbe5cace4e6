#include "balance/subexpression_sharing.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <limits>
#include <map>
#include <vector>

namespace symbiomc::detail {

namespace {

constexpr std::uint32_t NONE = std::numeric_limits<std::uint32_t>::max();
/// Who writes a slot: a mode's index, or one of these.
constexpr int PARAMETER = -1;  ///< parameters and constants: set before any tape runs
constexpr int UNWRITTEN = -2;
constexpr int SHARED = -3;  ///< the shared range of the new tape

/// The steps of share_subexpressions, in the order run() takes them. Kept values that others
/// reuse live in a slot no later instruction writes (an entity's own slot, or a new one instead
/// of a temporary); copies of such values are dropped; reads and the slots of PlanMode are
/// redirected accordingly. Recycle loops and their sub-tapes are kept as they are (their
/// results are new values).
class SubexpressionSharing {
 public:
  SubexpressionSharing(PlanData& plan, const std::set<std::uint32_t>& temporaries)
      : plan_(plan), temporaries_(temporaries), code_(plan.code), modes_(plan.modes.size()), slots_(plan.slot_count) {}

  void run() {
    if (!eligible() || !number_values()) return;
    assign_roles();
    if (rewrite()) install();
  }

 private:
  struct Value {
    std::vector<std::size_t> computed_by;  ///< instructions (not copies) that compute it
    std::uint32_t home = NONE;             ///< slot holding it in the new tape
    bool stable = false;                   ///< home is never written again
  };
  /// What the new tape does with an instruction that computes a value.
  enum class Role : std::uint8_t {
    keep,   ///< as it is (the only computation of its value)
    first,  ///< the first of several in its mode or after the baseline's: into a stable slot
    hoist,  ///< one of several in two or more synergy modes: computed once in the shared range
    reuse,  ///< a later one: dropped, its readers read the first one's slot
  };

  PlanData& plan_;
  const std::set<std::uint32_t>& temporaries_;
  const std::vector<Instruction>& code_;  ///< the tape being rewritten
  const std::size_t modes_, slots_;
  std::vector<int> mode_of_;  ///< per instruction, the mode whose range holds it

  // Value numbering.
  std::vector<Value> values_;
  std::vector<std::uint32_t> value_of_;  ///< per slot, the value it holds at this point of the tape
  std::vector<int> writer_;              ///< per slot, who writes it
  std::vector<std::uint32_t> value_;     ///< per instruction, the value it computes
  std::vector<Role> role_;               ///< per instruction

  // The new tape: baseline, shared range, synergy modes.
  std::uint32_t slot_count_ = 0;               ///< grows by the new stable slots
  std::vector<std::uint32_t> loc_;             ///< where the value the old tape would hold in slot s lives now
  std::vector<int> where_;                     ///< which part of the new tape writes a slot
  std::vector<std::vector<Instruction>> out_;  ///< per mode
  std::vector<Instruction> shared_;
  std::vector<Instruction> loop_code_;
  bool ok_ = true;

  bool eligible();
  bool number_values();
  void assign_roles();
  bool rewrite();
  void rewrite_instruction(std::size_t i);
  void install();

  std::uint32_t fresh_value(std::uint32_t home, bool stable) {
    values_.push_back({{}, home, stable});
    return static_cast<std::uint32_t>(values_.size() - 1);
  }
  /// A synergy mode reads only parameters, constants, the baseline and its own writes.
  [[nodiscard]] bool readable(std::uint32_t slot, int mode) const {
    const int w = writer_[slot];
    return w == PARAMETER || w == 0 || w == mode;
  }
  /// `in` with its reads redirected to where their values live in the new tape, as read by
  /// `part` (a mode or SHARED); clears ok_ if one is not available there.
  Instruction remap(Instruction in, int part) {
    std::uint32_t* reads[3] = {&in.a, &in.b, &in.c};
    for (int k = 0; k < operation_info(in.op).operands; ++k) {
      std::uint32_t& s = *reads[k];
      s = loc_[s];
      const int w = where_[s];
      if (!(w == PARAMETER || w == 0 || w == SHARED || w == part)) ok_ = false;
    }
    return in;
  }
  std::uint32_t new_slot(int part) {
    where_.push_back(part);
    return slot_count_++;
  }
  void write(std::uint32_t old_slot, std::uint32_t new_slot_index, int part) {
    loc_[old_slot] = new_slot_index;
    where_[new_slot_index] = part;
  }
};

/// The tape must be the compiler's: one range per mode, back to back, baseline first; and the
/// slots of PlanMode must not be temporaries, since they are redirected through their final writes.
bool SubexpressionSharing::eligible() {
  if (modes_ == 0 || plan_.modes[0].code_begin != 0 || plan_.modes.back().code_end != code_.size()) return false;
  mode_of_.assign(code_.size(), 0);
  for (std::size_t m = 0; m < modes_; ++m) {
    if (m > 0 && plan_.modes[m].code_begin != plan_.modes[m - 1].code_end) return false;
    for (std::size_t i = plan_.modes[m].code_begin; i < plan_.modes[m].code_end; ++i) mode_of_[i] = static_cast<int>(m);
  }
  for (const PlanMode& mode : plan_.modes) {
    for (const auto* quantities : {&mode.outputs, &mode.variables})
      for (const PlanQuantity& q : *quantities)
        if (temporaries_.count(q.slot)) return false;
    for (const PlanFlow& f : mode.flows)
      if (temporaries_.count(f.slot) || (f.has_energy && temporaries_.count(f.energy_factor)) ||
          (f.has_mass && temporaries_.count(f.mass_factor)))
        return false;
  }
  return true;
}

/// Value numbering in tape order: an instruction's value is numbered by (operation, values of
/// its operands); equal numbers compute equal bits. False if a synergy mode reads anything but
/// parameters, constants, the baseline and its own writes.
bool SubexpressionSharing::number_values() {
  value_of_.assign(slots_, NONE);
  writer_.assign(slots_, UNWRITTEN);
  for (std::size_t p = 0; p < plan_.parameters.size(); ++p)
    value_of_[p] = fresh_value(static_cast<std::uint32_t>(p), true), writer_[p] = PARAMETER;
  for (const auto& [slot, v] : plan_.constants) value_of_[slot] = fresh_value(slot, true), writer_[slot] = PARAMETER;
  std::map<std::array<std::uint32_t, 4>, std::uint32_t> table;
  value_.assign(code_.size(), NONE);
  for (std::size_t i = 0; i < code_.size(); ++i) {
    const Instruction& in = code_[i];
    const int m = mode_of_[i];
    if (in.op == Op::loop) {
      const LoopBlock& loop = plan_.loops[in.a];
      for (const std::uint32_t member : loop.members)
        value_of_[member] = fresh_value(member, true), writer_[member] = m;
      for (std::size_t j = loop.code_begin; j < loop.code_end; ++j) {
        const Instruction& sub = plan_.loop_code[j];
        const std::uint32_t reads[3] = {sub.a, sub.b, sub.c};
        for (int k = 0; k < operation_info(sub.op).operands; ++k)
          if (!readable(reads[k], m)) return false;
        value_of_[sub.dst] = fresh_value(sub.dst, false), writer_[sub.dst] = m;
      }
      continue;
    }
    const std::uint32_t reads[3] = {in.a, in.b, in.c};
    const int n = operation_info(in.op).operands;
    for (int k = 0; k < n; ++k)
      if (!readable(reads[k], m)) return false;
    if (in.op == Op::copy) {
      value_[i] = value_of_[in.a];
    } else {
      // pwl's b is its curve, the same curve whatever the slot numbering.
      const std::array<std::uint32_t, 4> key = {static_cast<std::uint32_t>(in.op), value_of_[in.a],
                                                in.op == Op::pwl ? in.b
                                                : n >= 2         ? value_of_[in.b]
                                                                 : 0,
                                                n >= 3 ? value_of_[in.c] : 0};
      const auto [it, inserted] = table.try_emplace(key, static_cast<std::uint32_t>(values_.size()));
      if (inserted) fresh_value(NONE, false);
      value_[i] = it->second;
      values_[value_[i]].computed_by.push_back(i);
    }
    value_of_[in.dst] = value_[i];
    writer_[in.dst] = m;
  }
  return true;
}

void SubexpressionSharing::assign_roles() {
  role_.assign(code_.size(), Role::keep);
  for (const Value& v : values_) {
    const auto& by = v.computed_by;
    if (by.size() < 2) continue;
    const int m0 = mode_of_[by.front()];
    const bool one_mode = std::all_of(by.begin(), by.end(), [&](std::size_t i) { return mode_of_[i] == m0; });
    for (std::size_t k = 0; k < by.size(); ++k)
      role_[by[k]] = (m0 == 0 || one_mode) ? (k == 0 ? Role::first : Role::reuse) : Role::hoist;
  }
}

/// Builds the new tape into out_, shared_ and loop_code_; false if a read would not be available.
bool SubexpressionSharing::rewrite() {
  slot_count_ = static_cast<std::uint32_t>(slots_);
  loc_.resize(slots_);
  for (std::uint32_t s = 0; s < slots_; ++s) loc_[s] = s;
  where_.assign(writer_.size(), UNWRITTEN);
  for (std::size_t s = 0; s < slots_; ++s)
    if (writer_[s] == PARAMETER) where_[s] = PARAMETER;
  out_.resize(modes_);
  loop_code_ = plan_.loop_code;
  for (std::size_t i = 0; i < code_.size() && ok_; ++i) rewrite_instruction(i);
  return ok_;
}

void SubexpressionSharing::rewrite_instruction(std::size_t i) {
  const Instruction& in = code_[i];
  const int m = mode_of_[i];
  if (in.op == Op::loop) {
    const LoopBlock& loop = plan_.loops[in.a];
    for (const std::uint32_t member : loop.members) write(member, member, m);
    for (std::size_t j = loop.code_begin; j < loop.code_end; ++j) {
      loop_code_[j] = remap(loop_code_[j], m);
      write(loop_code_[j].dst, loop_code_[j].dst, m);
    }
    out_[m].push_back(in);
    return;
  }
  Value& v = values_[value_[i]];
  if (in.op == Op::copy && v.home != NONE && v.stable) {
    loc_[in.dst] = v.home;  // the copy is dropped; its readers read the source's home
    return;
  }
  switch (in.op == Op::copy ? Role::keep : role_[i]) {
    case Role::keep: {
      const Instruction e = remap(in, m);
      out_[m].push_back(e);
      write(in.dst, in.dst, m);
      if (in.op != Op::copy) v.home = in.dst, v.stable = temporaries_.count(in.dst) == 0;
      break;
    }
    case Role::first: {
      Instruction e = remap(in, m);
      if (temporaries_.count(in.dst)) e.dst = new_slot(m);
      out_[m].push_back(e);
      write(in.dst, e.dst, m);
      v.home = e.dst, v.stable = true;
      break;
    }
    case Role::hoist: {
      if (v.home == NONE) {
        Instruction e = remap(in, SHARED);
        e.dst = new_slot(SHARED);
        shared_.push_back(e);
        v.home = e.dst, v.stable = true;
      }
      loc_[in.dst] = v.home;
      break;
    }
    case Role::reuse: {
      if (v.home == NONE || !v.stable) ok_ = false;
      loc_[in.dst] = v.home;
      break;
    }
  }
}

/// Replaces the plan's tape with the new one and redirects PlanMode's slots.
void SubexpressionSharing::install() {
  std::vector<Instruction> tape;
  tape.reserve(code_.size());
  for (std::size_t m = 0; m < modes_; ++m) {
    if (m == 1) {
      plan_.shared_begin = tape.size();
      tape.insert(tape.end(), shared_.begin(), shared_.end());
      plan_.shared_end = tape.size();
    }
    plan_.modes[m].code_begin = tape.size();
    tape.insert(tape.end(), out_[m].begin(), out_[m].end());
    plan_.modes[m].code_end = tape.size();
  }
  plan_.code = std::move(tape);  // code_ refers to it: not used from here on
  plan_.loop_code = std::move(loop_code_);
  plan_.slot_count = slot_count_;
  for (PlanMode& mode : plan_.modes) {
    for (auto& q : mode.outputs) q.slot = loc_[q.slot];
    for (auto& q : mode.variables) q.slot = loc_[q.slot];
    for (auto& f : mode.flows) {
      f.slot = loc_[f.slot];
      if (f.has_energy) f.energy_factor = loc_[f.energy_factor];
      if (f.has_mass) f.mass_factor = loc_[f.mass_factor];
    }
  }
}

}  // namespace

void share_subexpressions(PlanData& plan, const std::set<std::uint32_t>& temporaries) {
  SubexpressionSharing(plan, temporaries).run();
}

}  // namespace symbiomc::detail
