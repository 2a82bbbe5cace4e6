#pragma once
// Strongly connected components of a directed graph (Tarjan's algorithm), on plain indices.
// The balance compiler orders a mode's quantities with it: a quantity is computed after the
// quantities it reads, and quantities that read each other (a recycle loop) form one component
// and are solved together. Nothing here knows about balances, so the routine is tested on its
// own (tests/test_balance_passes.cpp).

#include <cstddef>
#include <span>
#include <vector>

namespace symbiomc {

/// The strongly connected components of the graph with an edge v -> w for each w in
/// successors[v] (every w < successors.size()). Each component comes after every component it
/// has an edge into, i.e. with edges pointing at dependencies, dependencies come first. Among
/// independent components, and among the vertices of one component, the order is that of a
/// depth-first search taking roots and successors in the order given (vertices of a component
/// in the order it reached them), so the result is deterministic.
/// Iterative, so a long dependency chain cannot overflow the stack.
[[nodiscard]] std::vector<std::vector<std::size_t>> strongly_connected_components(
    std::span<const std::vector<std::size_t>> successors);

}  // namespace symbiomc
