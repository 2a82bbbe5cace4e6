#pragma once
// Global sensitivity analysis driven over a Model: Sobol' indices (sobol_study.hpp) and Morris
// elementary-effects screening (morris_study.hpp). This header includes both, for callers that
// run either.

#include "symbiomc/studies/morris_study.hpp"
#include "symbiomc/studies/sobol_study.hpp"
