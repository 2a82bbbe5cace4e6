#pragma once
// Where the tests find the repository's files and the built program. tests/CMakeLists.txt
// defines SYMBIOMC_SOURCE_DIR and SYMBIOMC_BINARY for every test program, so there is no
// fallback: a test built any other way should not compile rather than read the wrong files.

#include <string>

namespace symbiomc::test {

inline const std::string SOURCE_DIR = SYMBIOMC_SOURCE_DIR;
/// The `symbiomc` executable, for the tests that need a real process (exit codes, signals).
inline const std::string BINARY = SYMBIOMC_BINARY;

inline const std::string BIOMASS_CASE = SOURCE_DIR + "/cases/biomass";
inline const std::string BIOMASS_DISTRIBUTIONS = SOURCE_DIR + "/distributions/biomass.csv";
inline const std::string MINING_CASE = SOURCE_DIR + "/cases/mining";
inline const std::string MINING_DISTRIBUTIONS = SOURCE_DIR + "/distributions/mining.csv";

/// Committed fixtures (tests/data/): small networks, bad cases, distributions files, and the
/// linear and failing cases of the sampler tests.
inline const std::string TEST_DATA = SOURCE_DIR + "/tests/data";
inline const std::string SAMPLING_DATA = TEST_DATA + "/sampling";
/// The smallest case with one defect: a flow in kg/h of a commodity measured in t/h.
inline const std::string UNIT_MISMATCH_CASE = TEST_DATA + "/bad_cases/unit_mismatch";

}  // namespace symbiomc::test
