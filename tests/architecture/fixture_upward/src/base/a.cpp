// Fixture of Architecture.StageOrderCatchesUpwardInclude: a base-stage source that includes a
// header of the later report stage, the one violation check_includes.sh must report here.
// Not compiled: the build globs src/<stage>/*.cpp of the repository root and
// tests/test_*.cpp only.
#include "symbiomc/base/b.hpp"
#include "symbiomc/report/x.hpp"
