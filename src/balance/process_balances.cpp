// process_balances: per-process mass and energy in and out, read off an evaluated workspace
// for reports (balance --flows) and tests of mass closure.

#include "symbiomc/balance/balance.hpp"

#include <cstddef>
#include <vector>

namespace symbiomc {

std::vector<ProcessBalance> process_balances(const BalancePlan& plan, const BalanceWorkspace& ws,
                                             std::size_t mode_index, std::size_t lane) {
  const Network& network = plan.network();
  const PlanMode& mode = plan.modes()[mode_index];
  std::vector<ProcessBalance> out;
  for (std::size_t p = 0; p < network.processes.size(); ++p) {
    const Process& process = network.processes[p];
    if (process.kind == ProcessKind::external || !mode.active_processes[p]) continue;
    ProcessBalance b;
    b.process = process.id;
    for (const PlanFlow& pf : mode.flows) {
      if (!pf.active) continue;
      const Flow& flow = network.flows[pf.flow];
      const double q = ws.value(pf.slot, lane);
      const double energy = pf.has_energy ? q * ws.value(pf.energy_factor, lane) : 0.0;
      const double mass = pf.has_mass ? q * ws.value(pf.mass_factor, lane) : 0.0;
      if (flow.to == process.id) b.energy_in_MJ_per_h += energy, b.mass_in_t_per_h += mass;
      if (flow.from == process.id) b.energy_out_MJ_per_h += energy, b.mass_out_t_per_h += mass;
    }
    out.push_back(b);
  }
  return out;
}

}  // namespace symbiomc
