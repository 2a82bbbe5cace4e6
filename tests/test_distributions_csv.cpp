// The distributions-file and correlation-file readers: a good file of every dist, one fixture per
// defect with its exact message (fmt's EXPECT_THROW_MSG idea), several defects reported at
// once, Problem::to_physical, and the Gaussian copula's achieved rank correlations.

#include "symbiomc/problem/distributions_csv.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <string>
#include <vector>

#include "support/errors.hpp"
#include "support/files.hpp"
#include "support/paths.hpp"
#include "support/random.hpp"
#include "support/scratch_dir.hpp"
#include "symbiomc/base/error.hpp"
#include "symbiomc/problem/correlation_csv.hpp"
#include "symbiomc/problem/problem.hpp"

namespace symbiomc {
namespace {

using test::input_error_of;

std::string fixture(const std::string& name) { return test::TEST_DATA + "/distributions/" + name; }

// The parameters of an invented case, as the case reader would hand them over.
std::vector<ParameterInfo> case_parameters() {
  return {
      {"ad.biogas_yield_m3_per_t", "m3/t", 120.0, ParameterDomain::positive},
      {"feed_t_per_h", "t/h", 12.0, ParameterDomain::nonnegative},
      {"chp.eta_el", "1", 0.38, ParameterDomain::efficiency},
      {"boiler.eta", "1", 0.88, ParameterDomain::efficiency},
      {"steam_t_per_h", "t/h", 25.0, ParameterDomain::nonnegative},
      {"coal_price_yuan_per_t", "yuan/t", 900.0, ParameterDomain::positive},
      {"power_price_yuan_per_MWh", "yuan/MWh", 450.0, ParameterDomain::positive},
      {"split.share", "1", 0.5, ParameterDomain::fraction},
      {"dT_K", "K", 10.0, ParameterDomain::any},
      {"hours_h_per_yr", "h/yr", 8000.0, ParameterDomain::positive},
      {"nox_kg_per_t", "kg/t", 0.5, ParameterDomain::positive},
      {"water_price_yuan_per_t", "yuan/t", 4.0, ParameterDomain::positive},
  };
}

std::string read_error(const std::string& name) {
  return input_error_of([&] { (void)read_distributions(fixture(name), case_parameters()); });
}

std::size_t index_of(const Problem& problem, const std::string& name) {
  const auto& p = problem.parameters();
  return static_cast<std::size_t>(
      std::find_if(p.begin(), p.end(), [&](const UncertainParameter& x) { return x.name == name; }) - p.begin());
}

// ---- A good file.

TEST(DistributionsCsv, ReadsEveryKindInFileOrder) {
  const std::string path = fixture("good.csv");
  const Problem problem = read_distributions(path, case_parameters());
  std::vector<std::string> names, kinds;
  for (const auto& p : problem.parameters()) {
    names.push_back(p.name);
    kinds.emplace_back(kind_name(p.dist));
  }
  EXPECT_EQ(names, (std::vector<std::string>{"ad.biogas_yield_m3_per_t", "feed_t_per_h", "chp.eta_el", "boiler.eta",
                                             "steam_t_per_h", "coal_price_yuan_per_t", "power_price_yuan_per_MWh",
                                             "split.share", "dT_K", "nox_kg_per_t"}));
  EXPECT_EQ(kinds, (std::vector<std::string>{"lognorm", "lognorm", "truncnorm", "pert", "triang", "unif", "beta",
                                             "discrete", "norm", "logunif"}));
  EXPECT_EQ(problem.dimension(), 10U);

  const auto& biogas = problem.parameters()[0];
  EXPECT_EQ(biogas.unit, "m3/t");
  EXPECT_EQ(biogas.case_index, 0U);
  EXPECT_EQ(biogas.group, "biogas");
  EXPECT_EQ(biogas.source, "Smith et al., 2019");  // a quoted cell keeps its comma
  EXPECT_EQ(biogas.where.file, path);
  EXPECT_EQ(biogas.where.line, 4U);  // comment, header and a blank line come first
  EXPECT_EQ(to_string(biogas.dist), "lognorm(mean=120, sd=18)");
  EXPECT_EQ(to_string(problem.parameters()[1].dist), "lognorm(median=12, gsd=1.2)");
  EXPECT_EQ(to_string(problem.parameters()[7].dist), "discrete(values=0.4;0.5;0.6, probabilities=0.25;0.5;0.25)");
  EXPECT_EQ(to_string(problem.parameters()[6].dist), "beta(alpha=2, beta=3, low=350, high=600)");
  EXPECT_EQ(problem.parameters()[2].group, "chp.eta_el");  // group defaults to the name
  EXPECT_EQ(problem.parameters()[9].case_index, 10U);

  ASSERT_EQ(problem.fixed().size(), 1U);
  EXPECT_EQ(problem.fixed()[0].name, "hours_h_per_yr");
  EXPECT_EQ(problem.fixed()[0].case_index, 9U);
  EXPECT_EQ(problem.fixed()[0].value, 7800.0);
  EXPECT_EQ(problem.fixed()[0].where.line, 14U);

  std::vector<std::string> groups;
  for (const auto& g : problem.groups()) groups.push_back(g.name);
  EXPECT_EQ(groups, (std::vector<std::string>{"biogas", "chp.eta_el", "boiler.eta", "steam_t_per_h", "prices",
                                              "split.share", "dT_K", "nox_kg_per_t"}));
  EXPECT_EQ(problem.groups()[0].members, (std::vector<std::size_t>{0, 1}));
  EXPECT_EQ(problem.groups()[4].members, (std::vector<std::size_t>{5, 6}));
  EXPECT_EQ(problem.group_of(6), 4U);

  EXPECT_EQ(problem.path(), path);
  EXPECT_EQ(problem.checksum(), fnv1a_64(test::read_text(path)));
  EXPECT_FALSE(problem.correlation().has_value());
}

TEST(DistributionsCsv, OnlyRequiredColumnsInAnyOrder) {
  const Problem problem = read_distributions(fixture("minimal.csv"), case_parameters());
  ASSERT_EQ(problem.dimension(), 1U);
  EXPECT_EQ(to_string(problem.parameters()[0].dist), "unif(low=8, high=12)");
}

TEST(DistributionsCsv, ToPhysicalAppliesEachMarginalQuantile) {
  const Problem problem = read_distributions(fixture("good.csv"), case_parameters());
  std::vector<double> u(problem.dimension()), x(problem.dimension());
  for (std::size_t i = 0; i < u.size(); ++i) u[i] = (static_cast<double>(i) + 0.5) / static_cast<double>(u.size());
  ASSERT_EQ(problem.scratch_size(), 0U);
  problem.to_physical(u, x, {});
  for (std::size_t i = 0; i < u.size(); ++i) EXPECT_EQ(x[i], quantile(problem.parameters()[i].dist, u[i]));
}

TEST(DistributionsCsv, Fnv1aMatchesPublishedVectors) {
  // Test vectors from the FNV reference code (64-bit FNV-1a).
  EXPECT_EQ(fnv1a_64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(fnv1a_64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(fnv1a_64("foobar"), 0x85944171f73967e8ULL);
}

// ---- One defect per fixture, whole message asserted.

TEST(DistributionsCsv, NegativeSdReportsFileLineAndParameter) {
  EXPECT_EQ(
      read_error("negative_sd.csv"),
      fixture("negative_sd.csv") + ":3: column 'sd' (parameter 'dT_K'): expected > 0 for dist 'norm', got '-0.2'");
}

TEST(DistributionsCsv, LowNotBelowHigh) {
  EXPECT_EQ(
      read_error("low_not_below_high.csv"),
      fixture("low_not_below_high.csv") +
          ":2: column 'high' (parameter 'coal_price_yuan_per_t'): expected > low (1100) for dist 'unif', got '700'");
}

TEST(DistributionsCsv, ModeOutsideLowHigh) {
  EXPECT_EQ(read_error("mode_outside.csv"),
            fixture("mode_outside.csv") +
                ":2: column 'mode' (parameter 'steam_t_per_h'): expected between low (20) and high (32) for dist "
                "'triang', got '35'");
}

TEST(DistributionsCsv, ProbabilitiesNotSummingToOne) {
  EXPECT_EQ(read_error("probabilities_sum.csv"),
            fixture("probabilities_sum.csv") +
                ":2: column 'probabilities' (parameter 'split.share'): expected items summing to 1 (within 1e-9), got "
                "a sum of 0.9 ('0.5;0.4')");
}

TEST(DistributionsCsv, ProbabilitiesOutsideUnitInterval) {
  const std::string p = fixture("probability_range.csv");
  EXPECT_EQ(
      read_error("probability_range.csv"),
      p +
          ":2: column 'probabilities' (parameter 'split.share'): expected each item in [0, 1], got '-0.5' as item "
          "1\n" +
          p +
          ":2: column 'probabilities' (parameter 'split.share'): expected each item in [0, 1], got '1.5' as item 2");
}

TEST(DistributionsCsv, ListLengthsDiffer) {
  EXPECT_EQ(
      read_error("list_lengths.csv"),
      fixture("list_lengths.csv") +
          ":2: column 'probabilities' (parameter 'split.share'): expected 3 items as in 'values', got 2 ('0.5;0.5')");
}

TEST(DistributionsCsv, NonNumericNumber) {
  EXPECT_EQ(read_error("non_numeric.csv"),
            fixture("non_numeric.csv") + ":2: column 'sd' (parameter 'dT_K'): expected a number, got 'abc'");
}

TEST(DistributionsCsv, NeededColumnBlank) {
  EXPECT_EQ(read_error("needed_blank.csv"),
            fixture("needed_blank.csv") +
                ":2: column 'sd' (parameter 'dT_K'): expected a number for dist 'norm', got a blank cell");
}

TEST(DistributionsCsv, ColumnTheDistDoesNotUse) {
  EXPECT_EQ(
      read_error("unused_column.csv"),
      fixture("unused_column.csv") +
          ":2: column 'mode' (parameter 'dT_K'): not used by dist 'norm' (clear the cell or change the dist), got "
          "'11'");
}

TEST(DistributionsCsv, LognormalGivenBothWays) {
  EXPECT_EQ(read_error("lognorm_mixed.csv"),
            fixture("lognorm_mixed.csv") +
                ":2: column 'median' (parameter 'feed_t_per_h'): not used by dist 'lognorm' given by 'mean' and 'sd' "
                "(give either 'mean' and 'sd' or 'median' and 'gsd'), got '11'");
}

TEST(DistributionsCsv, GeometricSdNotAboveOne) {
  EXPECT_EQ(read_error("gsd_below_one.csv"),
            fixture("gsd_below_one.csv") +
                ":2: column 'gsd' (parameter 'feed_t_per_h'): expected > 1 for dist 'lognorm', got '0.8'");
}

TEST(DistributionsCsv, UnknownDistSuggestsTheNearestName) {
  EXPECT_EQ(read_error("unknown_dist.csv"),
            fixture("unknown_dist.csv") +
                ":2: column 'dist' (parameter 'dT_K'): unknown dist 'normal' (did you mean 'norm'?); expected one of "
                "'fixed', 'unif', 'norm', 'truncnorm', 'lognorm', 'triang', 'pert', 'beta', 'logunif', 'discrete'");
}

TEST(DistributionsCsv, DuplicateParameterRow) {
  EXPECT_EQ(read_error("duplicate_parameter.csv"),
            fixture("duplicate_parameter.csv") + ":4: column 'parameter': 'dT_K' is given twice (first on line 2)");
}

TEST(DistributionsCsv, UnknownParameterSuggestsCaseNames) {
  EXPECT_EQ(read_error("unknown_parameter.csv"),
            fixture("unknown_parameter.csv") +
                ":2: column 'parameter': 'ad.biogas_yeild_m3_per_t' is not a parameter of the case (did you mean "
                "'ad.biogas_yield_m3_per_t'?)");
}

TEST(DistributionsCsv, UnitDiffersFromTheCase) {
  EXPECT_EQ(read_error("unit_mismatch.csv"),
            fixture("unit_mismatch.csv") +
                ":2: column 'unit' (parameter 'steam_t_per_h'): 'kg/h' differs from the case's unit 't/h'");
}

TEST(DistributionsCsv, NominalOutsideSupport) {
  EXPECT_EQ(read_error("nominal_outside.csv"),
            fixture("nominal_outside.csv") +
                ":2: column 'dist' (parameter 'ad.biogas_yield_m3_per_t'): the case's nominal value 120 lies outside "
                "the support [200, 300] of this 'unif'");
}

TEST(DistributionsCsv, NormOnAnEfficiencyIsRefusedWithTruncnormAdvice) {
  EXPECT_EQ(read_error("norm_on_efficiency.csv"),
            fixture("norm_on_efficiency.csv") +
                ":2: column 'dist' (parameter 'chp.eta_el'): 'norm' has support (-inf, inf), but the parameter must be "
                "in (0, 1] (efficiency); use 'truncnorm' with low >= 0 and high <= 1, or 'beta' or 'pert'");
}

TEST(DistributionsCsv, FixedValueOutsideDomain) {
  EXPECT_EQ(read_error("fixed_outside_domain.csv"),
            fixture("fixed_outside_domain.csv") +
                ":2: column 'value' (parameter 'boiler.eta'): expected a value in (0, 1] (efficiency), got '1.05'");
}

TEST(DistributionsCsv, EmptyFile) {
  EXPECT_EQ(read_error("empty.csv"),
            fixture("empty.csv") +
                ":1: empty file; expected a header naming the columns, at least 'parameter', 'dist', 'unit'");
}

TEST(DistributionsCsv, HeaderOnly) {
  EXPECT_EQ(read_error("header_only.csv"), fixture("header_only.csv") + ":2: no parameter rows after the header");
}

TEST(DistributionsCsv, MissingRequiredHeaderColumn) {
  EXPECT_EQ(read_error("missing_required_column.csv"),
            fixture("missing_required_column.csv") + ":1: the header lacks the required column 'unit'");
}

TEST(DistributionsCsv, UnknownHeaderColumnSuggestsKnownOnes) {
  EXPECT_EQ(read_error("unknown_column.csv"),
            fixture("unknown_column.csv") +
                ":1: column 'stdev' in the header is not a known column (did you mean 'sd'?); known columns: "
                "'parameter', 'dist', 'unit', 'value', 'low', 'high', 'mode', 'mean', 'sd', 'median', 'gsd', 'alpha', "
                "'beta', 'values', 'probabilities', 'group', 'source'");
}

TEST(DistributionsCsv, SalibHeaderNamesPointToOurColumns) {
  EXPECT_EQ(read_error("salib_header.csv"),
            fixture("salib_header.csv") +
                ":2: column 'name' in the header is not a known column (did you mean 'parameter'?); known columns: "
                "'parameter', 'dist', 'unit', 'value', 'low', 'high', 'mode', 'mean', 'sd', 'median', 'gsd', 'alpha', "
                "'beta', 'values', 'probabilities', 'group', 'source'");
}

TEST(DistributionsCsv, WrongCellCountKeepsTheCsvReadersLine) {
  EXPECT_EQ(read_error("wrong_cell_count.csv"),
            fixture("wrong_cell_count.csv") +
                ":2: more cells than the header has columns (a ',' inside a cell needs double quotes)");
}

// A distributions file written into a scratch folder: the header of good.csv, then `rows`.
class WrittenFile {
 public:
  explicit WrittenFile(const std::string& text, const std::string& name = "d.csv") : path_(dir_.sub(name)) {
    test::write_text(path_, text);
  }
  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] std::string error() const {
    return input_error_of([&] { (void)read_distributions(path_, case_parameters()); });
  }

 private:
  test::ScratchDir dir_;
  std::string path_;
};

constexpr const char* HEADER = "parameter,unit,dist,low,mode,high,mean,sd,median,gsd,value,source\n";

TEST(DistributionsCsv, SpreadsThatDoubleCannotHoldAreRefusedAtTheirCell) {
  // They were accepted and gave infinite statistics or every run failed.
  const WrittenFile file(std::string(HEADER) +
                         "dT_K,K,norm,,,,10,1e200,,,,\n"                      // variance overflows
                         "steam_t_per_h,t/h,truncnorm,0,,inf,25,1e300,,,,\n"  // so does the truncated one's
                         "coal_price_yuan_per_t,yuan/t,lognorm,,,,900,1e200,,,,\n"
                         "power_price_yuan_per_MWh,yuan/MWh,lognorm,,,,450,1e-200,,,,\n"  // sigma_ln rounds to 0
                         "feed_t_per_h,t/h,lognorm,,,,,,12,1e300,,\n"
                         "water_price_yuan_per_t,yuan/t,unif,1e-300,,1e308,,,,,,\n"
                         "nox_kg_per_t,kg/t,lognorm,,,,0.5,0.1,,,,\n");  // fine
  const std::string at = file.path() + ":";
  const std::string expected = "expected parameters for which dist '";
  const std::string overflows = "which has a variance that is not a finite double (it overflows)";
  const std::string no_mean = "which has a mean that is not a finite double";
  EXPECT_EQ(file.error(),
            at + "2: column 'sd' (parameter 'dT_K'): " + expected +
                "norm' fits in double precision, got norm(mean=10, sd=1e200), " + overflows + "\n" + at +
                "3: column 'sd' (parameter 'steam_t_per_h'): " + expected +
                "truncnorm' fits in double precision, got truncnorm(mean=25, sd=1e300, low=0, high=inf), " + overflows +
                "\n" + at + "4: column 'sd' (parameter 'coal_price_yuan_per_t'): " + expected +
                "lognorm' fits in double precision, got lognorm(mean=900, sd=1e200), " + no_mean + "\n" + at +
                "5: column 'sd' (parameter 'power_price_yuan_per_MWh'): " + expected +
                "lognorm' fits in double precision, got lognorm(mean=450, sd=1e-200), which has a variance that "
                "rounds to 0 in double precision (a single point: use dist 'fixed')\n" +
                at + "6: column 'gsd' (parameter 'feed_t_per_h'): " + expected +
                "lognorm' fits in double precision, got lognorm(median=12, gsd=1e300), " + no_mean + "\n" + at +
                "7: column 'high' (parameter 'water_price_yuan_per_t'): " + expected +
                "unif' fits in double precision, got unif(low=1e-300, high=1e308), " + overflows);
}

TEST(DistributionsCsv, QuotedCellMayHoldALineBreakAndLaterLinesKeepTheirNumbers) {
  const WrittenFile file(std::string(HEADER) +
                         "dT_K,K,norm,,,,10,0.5,,,,\"Handbook, table 3;\r\nsecond line\"\n"
                         "nox_kg_per_t,kg/t,lognorm,,,,0.5,-0.1,,,,\n");
  EXPECT_EQ(file.error(), file.path() +
                              ":4: column 'sd' (parameter 'nox_kg_per_t'): expected > 0 for dist "
                              "'lognorm', got '-0.1'");
  const WrittenFile good(std::string(HEADER) + "dT_K,K,norm,,,,10,0.5,,,,\"Handbook, table 3;\nsecond line\"\n");
  const Problem problem = read_distributions(good.path(), case_parameters());
  ASSERT_EQ(problem.dimension(), 1U);
  EXPECT_EQ(problem.parameters()[0].source, "Handbook, table 3;\nsecond line");
}

TEST(DistributionsCsv, UnclosedQuoteInTheHeaderNamesTheHeaderLine) {
  const WrittenFile file("# a comment with a \" quote\n\nparameter,unit,\"dist,sd\ndT_K,K,norm,1\n");
  EXPECT_EQ(file.error(), file.path() + ":3: a double-quoted cell is not closed");
}

TEST(DistributionsCsv, MissingFile) {
  EXPECT_EQ(read_error("no_such_file.csv"),
            fixture("no_such_file.csv") + ": cannot read distributions file: No such file or directory");
}

TEST(DistributionsCsv, EveryDefectReportedAtOnce) {
  const std::string p = fixture("several_defects.csv");
  try {
    (void)read_distributions(p, case_parameters());
    FAIL() << "no error";
  } catch (const InputErrors& e) {
    EXPECT_EQ(
        e.messages(),
        (std::vector<std::string>{
            p + ":2: column 'sd' (parameter 'dT_K'): expected > 0 for dist 'norm', got '-0.2'",
            p + ":3: column 'high' (parameter 'coal_price_yuan_per_t'): expected > low (1100) for dist 'unif', "
                "got '700'",
            p + ":4: column 'dist' (parameter 'chp.eta_el'): 'norm' has support (-inf, inf), but the parameter "
                "must be in (0, 1] (efficiency); use 'truncnorm' with low >= 0 and high <= 1, or 'beta' or 'pert'",
            p + ":5: column 'unit' (parameter 'steam_t_per_h'): 'kg/h' differs from the case's unit 't/h'",
        }));
  }
}

TEST(DistributionsCsv, ErrorsCappedAtTwenty) {
  const std::string p = fixture("many_defects.csv");
  try {
    (void)read_distributions(p, case_parameters());
    FAIL() << "no error";
  } catch (const InputErrors& e) {
    ASSERT_EQ(e.messages().size(), ErrorList::MAX_ERRORS + 1);
    EXPECT_EQ(e.messages().front(), p + ":2: column 'parameter': 'q01' is not a parameter of the case");
    EXPECT_EQ(e.messages()[19], p + ":21: column 'parameter': 'q20' is not a parameter of the case");
    EXPECT_EQ(e.messages().back(), "(5 more errors not shown)");
  }
}

// ---- Rank correlations.

Problem good_problem() { return read_distributions(fixture("good.csv"), case_parameters()); }

std::string correlation_error(const std::string& name) {
  const Problem problem = good_problem();
  return input_error_of([&] { (void)read_correlations(fixture(name), problem); });
}

std::vector<double> ranks(const std::vector<double>& x) {
  std::vector<std::size_t> order(x.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
  std::vector<double> r(x.size());
  for (std::size_t i = 0; i < order.size(); ++i) r[order[i]] = static_cast<double>(i);
  return r;
}

// Spearman's rho as the Pearson correlation of ranks (no ties: the marginals are continuous).
double spearman(const std::vector<double>& x, const std::vector<double>& y) {
  const auto rx = ranks(x), ry = ranks(y);
  const double n = static_cast<double>(x.size()), m = (n - 1.0) / 2.0;
  double sxy = 0.0, sxx = 0.0;
  for (std::size_t i = 0; i < rx.size(); ++i) {
    sxy += (rx[i] - m) * (ry[i] - m);
    sxx += (rx[i] - m) * (rx[i] - m);
  }
  return sxy / sxx;
}

TEST(RankCorrelation, SpearmanToPearsonIsTheNormalCaseFormula) {
  EXPECT_DOUBLE_EQ(spearman_to_pearson(0.0), 0.0);
  EXPECT_NEAR(spearman_to_pearson(0.5), 2.0 * std::sin(std::numbers::pi / 12.0), 1e-15);
  EXPECT_NEAR(spearman_to_pearson(-0.7), -2.0 * std::sin(0.7 * std::numbers::pi / 6.0), 1e-15);
  EXPECT_NEAR(spearman_to_pearson(1.0), 1.0, 1e-15);
}

TEST(RankCorrelation, AchievedSpearmanMatchesTargets) {
  const Problem base = good_problem();
  const Problem problem = base.with_correlation(read_correlations(fixture("good.corr.csv"), base));
  ASSERT_TRUE(problem.correlation().has_value());
  EXPECT_EQ(problem.correlation()->pairs().size(), 3U);
  EXPECT_EQ(problem.correlation()->pairs()[0].where.line, 3U);
  EXPECT_EQ(problem.correlation()->members().size(), 3U);
  EXPECT_EQ(problem.scratch_size(), 3U);

  const std::size_t coal = index_of(problem, "coal_price_yuan_per_t"),
                    power = index_of(problem, "power_price_yuan_per_MWh"), steam = index_of(problem, "steam_t_per_h"),
                    dt = index_of(problem, "dT_K");
  constexpr std::size_t N = 100000;
  test::TestEngine rng(2024);
  std::vector<double> u(problem.dimension()), x(problem.dimension()), scratch(problem.scratch_size());
  std::vector<std::vector<double>> columns(problem.dimension(), std::vector<double>(N));
  for (std::size_t r = 0; r < N; ++r) {
    for (auto& ui : u) ui = test::open_uniform(rng);
    problem.to_physical(u, x, scratch);
    for (std::size_t i = 0; i < x.size(); ++i) columns[i][r] = x[i];
    // Parameters outside every pair keep their independent draw.
    EXPECT_EQ(x[dt], quantile(problem.parameters()[dt].dist, u[dt]));
  }
  // Spearman's rho under independence has sd 1/sqrt(N-1) ~ 0.003, so +-0.02 is > 6 SE.
  EXPECT_NEAR(spearman(columns[coal], columns[power]), 0.7, 0.02);
  EXPECT_NEAR(spearman(columns[coal], columns[steam]), -0.4, 0.02);
  EXPECT_NEAR(spearman(columns[power], columns[steam]), 0.2, 0.02);
  EXPECT_NEAR(spearman(columns[coal], columns[dt]), 0.0, 0.02);
  // The marginal is untouched by the copula: its mean stays within 5 standard errors.
  const auto& coal_dist = problem.parameters()[coal].dist;
  const double coal_mean = std::accumulate(columns[coal].begin(), columns[coal].end(), 0.0) / N;
  EXPECT_NEAR(coal_mean, mean(coal_dist), 5.0 * std::sqrt(variance(coal_dist) / N));
}

TEST(RankCorrelation, MarginalUniformsAreEachParametersOwnCdfAtItsValue) {
  // The coordinates given-data estimators bin: v_i = F_i(x_i), also for correlated parameters,
  // and the same x as the plain mapping.
  const Problem base = good_problem();
  const Problem problem = base.with_correlation(read_correlations(fixture("good.corr.csv"), base));
  test::TestEngine rng(7);
  const std::size_t d = problem.dimension();
  std::vector<double> u(d), x(d), x_plain(d), v(d), scratch(problem.scratch_size());
  for (int r = 0; r < 1000; ++r) {
    for (auto& ui : u) ui = test::open_uniform(rng);
    problem.to_physical(u, x_plain, scratch);
    problem.to_physical(u, x, scratch, v);
    for (std::size_t i = 0; i < d; ++i) {
      EXPECT_EQ(x[i], x_plain[i]) << problem.parameters()[i].name;
      EXPECT_GT(v[i], 0.0);
      EXPECT_LT(v[i], 1.0);
      const Distribution& dist = problem.parameters()[i].dist;
      EXPECT_EQ(quantile(dist, v[i]), x[i]) << problem.parameters()[i].name;
      // A continuous marginal's CDF gives v back (a discrete one's is a step: v lies within it).
      if (!std::holds_alternative<Discrete>(dist)) {
        EXPECT_NEAR(cdf(dist, x[i]), v[i], 1e-6) << problem.parameters()[i].name;
      }
    }
  }
}

TEST(RankCorrelation, NotPositiveDefiniteNamesEveryPair) {
  EXPECT_EQ(
      correlation_error("not_pd.corr.csv"),
      fixture("not_pd.corr.csv") +
          ": the rank correlations are not mutually consistent: their normal-score correlation matrix (rho = 2 "
          "sin(pi rho_s / 6)) is not positive definite; pairs: 'coal_price_yuan_per_t'-'power_price_yuan_per_MWh' "
          "0.9 (line 2), 'coal_price_yuan_per_t'-'steam_t_per_h' 0.9 (line 3), "
          "'power_price_yuan_per_MWh'-'steam_t_per_h' -0.9 (line 4)");
}

TEST(RankCorrelation, UnknownNameSuggestsUncertainParameters) {
  EXPECT_EQ(correlation_error("unknown_name.corr.csv"),
            fixture("unknown_name.corr.csv") +
                ":2: column 'parameter_b': 'power_price_yuan_per_MWH' is not an uncertain "
                "parameter of " +
                fixture("good.csv") + " (did you mean 'power_price_yuan_per_MWh', 'coal_price_yuan_per_t'?)");
}

TEST(RankCorrelation, FixedParameterCannotBeCorrelated) {
  EXPECT_EQ(correlation_error("fixed_name.corr.csv"), fixture("fixed_name.corr.csv") +
                                                          ":2: column 'parameter_b': 'hours_h_per_yr' is 'fixed' in " +
                                                          fixture("good.csv") + ", so it cannot be correlated");
}

TEST(RankCorrelation, SelfPair) {
  EXPECT_EQ(correlation_error("self_pair.corr.csv"),
            fixture("self_pair.corr.csv") +
                ":2: column 'parameter_b': 'coal_price_yuan_per_t' is also parameter_a; a parameter's rank correlation "
                "with itself is 1 by definition");
}

TEST(RankCorrelation, DuplicatePairInEitherOrder) {
  EXPECT_EQ(correlation_error("duplicate_pair.corr.csv"),
            fixture("duplicate_pair.corr.csv") +
                ":3: the pair 'power_price_yuan_per_MWh'-'coal_price_yuan_per_t' is given twice (first on line 2)");
}

TEST(RankCorrelation, MagnitudeOneRefused) {
  EXPECT_EQ(correlation_error("rho_one.corr.csv"),
            fixture("rho_one.corr.csv") + ":2: column 'rank_correlation': expected a number in (-1, 1), got '1'");
}

TEST(RankCorrelation, HeaderOnly) {
  EXPECT_EQ(correlation_error("header_only.corr.csv"),
            fixture("header_only.corr.csv") + ":1: no correlation rows after the header");
}

TEST(RankCorrelation, CommentsOnlyFileSaysWhichColumnsTheHeaderNames) {
  EXPECT_EQ(correlation_error("comments_only.corr.csv"),
            fixture("comments_only.corr.csv") +
                ":2: no header line (only comments or blank lines); expected a header naming the columns, at "
                "least 'parameter_a', 'parameter_b', 'rank_correlation'");
}

TEST(RankCorrelation, WithCorrelationRefusesAnotherDimension) {
  const Problem problem = good_problem();
  RankCorrelation other(2, {CorrelationPair{0, 1, "a", "b", 0.3, {}}});
  EXPECT_THROW((void)problem.with_correlation(other), std::invalid_argument);
}

TEST(RankCorrelation, ApplyLeavesUnpairedCoordinatesAlone) {
  const RankCorrelation c(4, {CorrelationPair{1, 3, "b", "d", 0.5, {}}});
  EXPECT_EQ(c.members(), (std::vector<std::size_t>{1, 3}));
  std::vector<double> u = {0.1, 0.2, 0.3, 0.4}, scratch(c.scratch_size());
  c.apply(u, scratch);
  EXPECT_EQ(u[0], 0.1);
  EXPECT_EQ(u[2], 0.3);
  EXPECT_NEAR(u[1], 0.2, 1e-15);  // first member: L's first row is (1, 0)
  EXPECT_NE(u[3], 0.4);
}

TEST(RankCorrelation, QuotedSourceMayHoldALineBreak) {
  const Problem problem = good_problem();
  const WrittenFile file(
      "parameter_a,parameter_b,rank_correlation,source\n"
      "coal_price_yuan_per_t,power_price_yuan_per_MWh,0.5,\"Market study\n2021\"\n"
      "coal_price_yuan_per_t,nox_kg_per_t,1.5,\n",
      "d.corr.csv");
  EXPECT_EQ(input_error_of([&] { (void)read_correlations(file.path(), problem); }),
            file.path() + ":4: column 'rank_correlation': expected a number in (-1, 1), got '1.5'");
}

}  // namespace
}  // namespace symbiomc
