# CMake generated Testfile for 
# Source directory: /work/main/tests
# Build directory: /work/main/build/tests
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
include("/work/main/build/tests/test_analytic_models[1]_include.cmake")
include("/work/main/build/tests/test_balance[1]_include.cmake")
include("/work/main/build/tests/test_biomass_paper[1]_include.cmake")
include("/work/main/build/tests/test_case_csv[1]_include.cmake")
include("/work/main/build/tests/test_cli[1]_include.cmake")
include("/work/main/build/tests/test_design[1]_include.cmake")
include("/work/main/build/tests/test_distributions[1]_include.cmake")
include("/work/main/build/tests/test_distributions_csv[1]_include.cmake")
include("/work/main/build/tests/test_expression[1]_include.cmake")
include("/work/main/build/tests/test_html_report[1]_include.cmake")
include("/work/main/build/tests/test_mining_case[1]_include.cmake")
include("/work/main/build/tests/test_morris[1]_include.cmake")
include("/work/main/build/tests/test_rng[1]_include.cmake")
include("/work/main/build/tests/test_sensitivity[1]_include.cmake")
include("/work/main/build/tests/test_sobol[1]_include.cmake")
include("/work/main/build/tests/test_stats[1]_include.cmake")
include("/work/main/build/tests/test_uncertainty[1]_include.cmake")
