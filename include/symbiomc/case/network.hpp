#pragma once
// A symbiosis network as read from a case directory: named parameters, commodities,
// processes, flows between them, intermediate variables, synergy modes, reported outputs,
// efficiency curves and structural options. A value type: validated once by read_case(),
// then const; the balance compiler turns it into an evaluation plan.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "symbiomc/base/checksum.hpp"
#include "symbiomc/base/error.hpp"
#include "symbiomc/base/parameter.hpp"
#include "symbiomc/case/expression.hpp"

namespace symbiomc {

struct Parameter {
  std::string name;
  double value = 0.0;
  std::string unit;
  ParameterDomain domain = ParameterDomain::any;
  std::string source;
  std::string description;
  SourceLocation where;
};

struct Commodity {
  std::string id;
  std::string unit;                         ///< unit of every flow of this commodity (t/h, MW, MJ/h, m3/h)
  std::optional<Expression> energy_factor;  ///< MJ/h carried per unit of flow (LHV, 3600 for MW); none = no energy
  std::optional<Expression> mass_factor;    ///< t/h carried per unit of flow (1 for t/h, density for m3/h)
  std::string description;
  SourceLocation where;
};

enum class ProcessKind { plant, converter, external };

struct Process {
  std::string id;
  ProcessKind kind = ProcessKind::plant;  ///< external = outside the park (markets, grid, disposal): not balanced
  std::string name;
  std::string description;
  SourceLocation where;
};

struct Flow {
  std::string id;
  std::string from;  ///< process id
  std::string to;    ///< process id
  std::string commodity;
  Expression quantity;  ///< in the commodity's unit; must come out >= 0
  std::string source;
  std::string description;
  SourceLocation where;
  std::size_t quantity_column = 0;  ///< 1-based CSV column of `quantity`, for messages
};

/// An intermediate quantity. A name may have several definitions for disjoint sets of modes
/// (e.g. a load index that differs per mode); `modes` empty = every mode.
struct Variable {
  std::string name;
  std::string unit;
  std::vector<std::string> modes;
  Expression expression;
  std::string source;
  std::string description;
  SourceLocation where;
};

struct Mode {
  std::string id;
  std::string name;
  bool baseline = false;               ///< independent operation: what every other mode is compared with
  std::string extends;                 ///< id of a mode whose processes and flows this one also switches on
  std::vector<std::string> processes;  ///< own list; see Network::active_processes for the closure
  std::vector<std::string> flows;
  /// Processes and flows of the extended mode that this one switches off (a mode that replaces
  /// a plant or a purchase of the mode it builds on); only with `extends`.
  std::vector<std::string> removes;
  std::string description;
  SourceLocation where;
};

struct Output {
  std::string name;  ///< carries its unit: extra_power_MW, savings_10k_yuan_per_yr
  std::string unit;
  Expression expression;
  std::string description;
  /// Shown by default in the terminal summaries of `uncertainty` and `sensitivity` (outputs.csv's
  /// `headline` column; every output when the case marks none). Result files hold every output.
  bool headline = false;
  SourceLocation where;
};

struct CurvePoint {
  std::string x;  ///< a number or a parameter name
  std::string y;
  SourceLocation where;
};

struct Curve {
  std::string id;
  std::string x_unit;
  std::string y_unit;
  std::vector<CurvePoint> points;  ///< at least two, x strictly increasing at nominal values
  std::string source;
};

struct OptionChoice {
  std::string name;
  bool is_default = false;
  std::vector<std::pair<std::string, double>> settings;  ///< parameter name -> value
  std::vector<SourceLocation> setting_rows;              ///< options.csv row of each setting
  std::string description;
};

/// A structural alternative the user picks per run (--option load_model=fuel).
struct CaseOption {
  std::string name;
  std::vector<OptionChoice> choices;
};

struct CaseFile {
  std::string path;
  std::uint64_t checksum = 0;  ///< FNV-1a 64 of the bytes, for provenance
};

struct Network {
  std::string name;  ///< directory name, e.g. "biomass"
  std::string title;
  std::string source;                    ///< the study the case reproduces
  double fixed_point_tolerance = 1e-10;  ///< relative, for load-dependent loops
  int fixed_point_max_iterations = 200;
  std::vector<Parameter> parameters;
  std::vector<Commodity> commodities;
  std::vector<Process> processes;
  std::vector<Flow> flows;
  std::vector<Variable> variables;
  std::vector<Mode> modes;  ///< exactly one baseline
  std::vector<Output> outputs;
  std::vector<Curve> curves;
  std::vector<CaseOption> options;
  std::vector<CaseFile> files;

  [[nodiscard]] const Parameter* find_parameter(std::string_view name) const noexcept;
  [[nodiscard]] const Process* find_process(std::string_view id) const noexcept;
  [[nodiscard]] const Commodity* find_commodity(std::string_view id) const noexcept;
  [[nodiscard]] const Flow* find_flow(std::string_view id) const noexcept;
  [[nodiscard]] const Mode* find_mode(std::string_view id) const noexcept;
  [[nodiscard]] std::size_t baseline_index() const;
  /// Processes and flows a mode switches on: its own, then those of the mode it extends (the
  /// same rule, recursively) less the ones it removes.
  [[nodiscard]] std::vector<std::string> active_processes(const Mode& mode) const;
  [[nodiscard]] std::vector<std::string> active_flows(const Mode& mode) const;
  [[nodiscard]] std::vector<ParameterInfo> parameter_infos() const;
};

}  // namespace symbiomc
