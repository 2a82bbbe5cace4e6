#pragma once
// The balance engine: a Network compiled once into an immutable BalancePlan (one flat
// instruction tape per synergy mode, baseline first), and evaluated for many parameter
// vectors at once ("lanes") in a per-thread BalanceWorkspace. Evaluation allocates nothing,
// never throws, and reports per mode and lane whether the balance is valid (RunStatus).
// The compiler's passes and the tape runner live in src/balance/ (balance.cpp lists them);
// tape.hpp and operations.hpp describe the compiled form.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "symbiomc/balance/tape.hpp"
#include "symbiomc/base/error.hpp"
#include "symbiomc/base/parameter.hpp"
#include "symbiomc/case/network.hpp"

namespace symbiomc {

/// Choices made when compiling: structural options and what-if parameter overrides.
struct PlanOptions {
  std::vector<std::pair<std::string, std::string>> choices;  ///< option name -> choice name
  std::vector<std::pair<std::string, double>> overrides;     ///< parameter name -> value (--set)
  /// Compute once what several modes (or one mode twice) would compute with the same operation
  /// on the same operands. Results are bit-identical either way; false keeps the plain
  /// per-mode tape (for tests and for measuring the saving).
  bool share_subexpressions = true;
  /// Compute an operation whose operands are all constants once, while compiling, with the
  /// runner's own kernel. Results are bit-identical either way (NaN included: a folded NaN
  /// fails like one computed at run time); false leaves every operation on the tape, for the
  /// tests that check exactly that.
  bool fold_constants = true;
};

/// Where a named quantity of one mode lives.
struct PlanQuantity {
  std::string name;
  std::string unit;
  std::uint32_t slot = 0;
};

struct PlanFlow {
  std::size_t flow = 0;  ///< index into Network::flows
  bool active = false;
  std::uint32_t slot = 0;                            ///< quantity in the commodity's unit
  std::uint32_t energy_factor = 0, mass_factor = 0;  ///< slots; valid when has_energy / has_mass
  bool has_energy = false, has_mass = false;
};

struct PlanMode {
  std::string id;
  std::string name;
  /// This mode's range of the tape. Synergy modes (index > 0) also need the shared range of
  /// BalancePlan (shared_code_begin/end), run after the baseline and before them.
  std::size_t code_begin = 0, code_end = 0;
  std::vector<PlanQuantity> outputs;  ///< same order as BalancePlan::outputs()
  std::vector<PlanQuantity> variables;
  std::vector<PlanFlow> flows;         ///< one per Network flow, same order
  std::vector<bool> active_processes;  ///< one per Network process
};

struct OutputInfo {
  std::string name;
  std::string unit;
  std::string description;
};

namespace detail {
/// What a BalancePlan holds, as plain data: the compiler passes under src/balance/ build it
/// field by field, the tape runner reads it. Everyone else sees it through BalancePlan.
struct PlanData {
  Network network;
  std::vector<ParameterInfo> parameters;  ///< nominal values after options and overrides
  std::vector<std::pair<std::string, std::string>> chosen_options;
  std::vector<OutputInfo> outputs;
  std::vector<PlanMode> modes;                              ///< [0] = baseline
  std::vector<std::pair<std::uint32_t, double>> constants;  ///< slot, value
  std::vector<Instruction> code;
  std::size_t shared_begin = 0, shared_end = 0;  ///< the synergy modes' shared range of code
  std::vector<Instruction> loop_code;
  std::vector<LoopBlock> loops;
  std::vector<PlanCurve> curves;
  bool has_sampled_curve = false;  ///< some curve has a sampled x point (PlanCurve::x_sampled)
  /// Per mode, the distinct slots evaluate() checks after the mode's tape: active flows in flow
  /// order (>= -1e-9), and those followed by the outputs, variables and the energy and mass
  /// factors of the active flows' commodities that read a parameter (finite).
  std::vector<std::vector<std::uint32_t>> flow_checks, finite_checks;
  std::size_t slot_count = 0;  ///< parameters first (a parameter's index is its slot), then the rest
  /// Members of the largest affine loop: sizes the workspaces' linear-system buffers
  /// (fixed-point loops need none).
  std::size_t max_affine_loop_size = 0;
  double fixed_point_tolerance = 1e-10;
  int fixed_point_max_iterations = 200;
};
}  // namespace detail

class BalancePlan {
 public:
  /// Compiles every mode; throws InputError for unresolved names, variables missing a
  /// definition in a mode, bad curves, unknown options or overrides, and for a nominal
  /// balance that fails (e.g. a negative nominal flow).
  [[nodiscard]] static BalancePlan compile(const Network& network, const PlanOptions& options = {});

  [[nodiscard]] const Network& network() const noexcept { return data_.network; }
  /// Parameters with their nominal values after options and overrides.
  [[nodiscard]] const std::vector<ParameterInfo>& parameters() const noexcept { return data_.parameters; }
  /// Index of a parameter; throws InputError naming the closest names.
  [[nodiscard]] std::size_t parameter_index(std::string_view name) const;
  [[nodiscard]] const std::vector<PlanMode>& modes() const noexcept { return data_.modes; }  ///< [0] = baseline
  [[nodiscard]] const std::vector<OutputInfo>& outputs() const noexcept { return data_.outputs; }
  [[nodiscard]] std::size_t mode_index(std::string_view id) const;
  [[nodiscard]] std::size_t slot_count() const noexcept { return data_.slot_count; }
  [[nodiscard]] std::size_t instruction_count() const noexcept { return data_.code.size(); }
  /// Range of the tape computed once for the synergy modes: values that two or more of them
  /// would otherwise each compute (empty when there are none or share_subexpressions is off).
  [[nodiscard]] std::size_t shared_code_begin() const noexcept { return data_.shared_begin; }
  [[nodiscard]] std::size_t shared_code_end() const noexcept { return data_.shared_end; }
  [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& chosen_options() const noexcept {
    return data_.chosen_options;
  }
  /// Everything compiled, for the balance engine's own runner and checks (src/balance/).
  [[nodiscard]] const detail::PlanData& data() const noexcept { return data_; }

 private:
  detail::PlanData data_;
};

/// Per-thread scratch: slot values for `width` lanes, solver buffers and statuses.
/// Parameter slots start at their nominal values; set_parameter changes one lane.
class BalanceWorkspace {
 public:
  BalanceWorkspace(const BalancePlan& plan, std::size_t width);
  ~BalanceWorkspace();
  BalanceWorkspace(BalanceWorkspace&&) noexcept;
  BalanceWorkspace& operator=(BalanceWorkspace&&) noexcept;

  [[nodiscard]] std::size_t width() const noexcept { return width_; }
  void set_parameter(std::size_t parameter, std::size_t lane, double value) noexcept {
    slots_[parameter * width_ + lane] = value;
  }
  /// Resets every parameter of every lane to its nominal value.
  void reset_parameters() noexcept;
  [[nodiscard]] double value(std::uint32_t slot, std::size_t lane) const noexcept {
    return slots_[slot * width_ + lane];
  }
  /// The `width()` lanes of a slot, contiguous (value(slot, lane) == values(slot)[lane]).
  [[nodiscard]] const double* values(std::uint32_t slot) const noexcept { return slots_.data() + slot * width_; }
  /// The `width()` lanes of a parameter, to set many at once (same as set_parameter per lane).
  [[nodiscard]] double* parameter_values(std::size_t parameter) noexcept { return slots_.data() + parameter * width_; }
  [[nodiscard]] RunStatus status(std::size_t mode, std::size_t lane) const noexcept {
    return status_[mode * width_ + lane];
  }
  [[nodiscard]] double output(const BalancePlan& plan, std::size_t mode, std::size_t output,
                              std::size_t lane) const noexcept {
    return value(plan.modes()[mode].outputs[output].slot, lane);
  }

  struct Solver;  ///< recycle-loop LU buffers (defined in src/balance/tape_runner.hpp)

 private:
  friend void evaluate(const BalancePlan&, BalanceWorkspace&, std::size_t, std::size_t) noexcept;
  const BalancePlan* plan_;
  std::size_t width_;
  std::vector<double> slots_;
  std::vector<RunStatus> status_;    ///< [mode][lane]
  std::vector<double> scratch_;      ///< fixed-point and linear-system buffers
  std::vector<unsigned char> done_;  ///< per lane, fixed-point convergence
  std::vector<double> flags_;        ///< 2 per lane: evaluate()'s domain and validity scans
  std::unique_ptr<Solver> solver_;
};

/// Evaluates the baseline and every mode for lanes [0, lanes). If `only_mode` is a mode index
/// other than 0, only the baseline and that mode are evaluated (size_t(-1) = all modes).
/// Never throws; failures are reported by BalanceWorkspace::status().
void evaluate(const BalancePlan& plan, BalanceWorkspace& workspace, std::size_t lanes,
              std::size_t only_mode = static_cast<std::size_t>(-1)) noexcept;

/// Mass and energy in/out of one process in one mode and lane (flows with a mass or energy
/// factor only). closure = in - out: losses to the environment that the case does not list.
struct ProcessBalance {
  std::string process;
  double mass_in_t_per_h = 0, mass_out_t_per_h = 0;
  double energy_in_MJ_per_h = 0, energy_out_MJ_per_h = 0;
  [[nodiscard]] double mass_closure_t_per_h() const noexcept { return mass_in_t_per_h - mass_out_t_per_h; }
  [[nodiscard]] double energy_closure_MJ_per_h() const noexcept { return energy_in_MJ_per_h - energy_out_MJ_per_h; }
};
[[nodiscard]] std::vector<ProcessBalance> process_balances(const BalancePlan& plan, const BalanceWorkspace& workspace,
                                                           std::size_t mode, std::size_t lane);

}  // namespace symbiomc
