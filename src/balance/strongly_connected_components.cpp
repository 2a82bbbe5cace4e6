#include "symbiomc/balance/strongly_connected_components.hpp"

#include <algorithm>
#include <limits>
#include <utility>

namespace symbiomc {

std::vector<std::vector<std::size_t>> strongly_connected_components(
    std::span<const std::vector<std::size_t>> successors) {
  constexpr std::size_t UNVISITED = std::numeric_limits<std::size_t>::max();
  const std::size_t n = successors.size();
  std::vector<std::vector<std::size_t>> components;
  // index: visiting order; low: smallest index reachable through the vertex's subtree and one
  // edge back into the stack. A vertex whose low is its own index roots a component.
  std::vector<std::size_t> index(n, UNVISITED), low(n, 0);
  std::vector<bool> on_stack(n, false);
  std::vector<std::size_t> stack;
  std::size_t counter = 0;
  auto visit = [&](std::size_t v) {
    index[v] = low[v] = counter++;
    stack.push_back(v);
    on_stack[v] = true;
  };
  // The recursion of the textbook version, as an explicit stack of (vertex, next successor).
  std::vector<std::pair<std::size_t, std::size_t>> call;
  for (std::size_t root = 0; root < n; ++root) {
    if (index[root] != UNVISITED) continue;
    visit(root);
    call.emplace_back(root, 0);
    while (!call.empty()) {
      auto& [v, next] = call.back();
      if (next < successors[v].size()) {
        const std::size_t w = successors[v][next++];
        if (index[w] == UNVISITED) {
          visit(w);
          call.emplace_back(w, 0);  // invalidates v and next: used no further this round
        } else if (on_stack[w]) {
          low[v] = std::min(low[v], index[w]);
        }
        continue;
      }
      if (low[v] == index[v]) {
        std::vector<std::size_t> component;
        std::size_t w = 0;
        do {
          w = stack.back();
          stack.pop_back();
          on_stack[w] = false;
          component.push_back(w);
        } while (w != v);
        std::reverse(component.begin(), component.end());  // in visiting order
        components.push_back(std::move(component));
      }
      const std::size_t finished = v;
      call.pop_back();
      if (!call.empty()) low[call.back().first] = std::min(low[call.back().first], low[finished]);
    }
  }
  return components;
}

}  // namespace symbiomc
