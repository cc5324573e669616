#include "tradeloop/data/validation.h"

#include <gtest/gtest.h>

namespace tradeloop::data {
namespace {

TEST(ValidationReport, FormatsFindingsInTheDocumentedStyle) {
  ValidationReport report("ADA_BTC-5m.csv", {});
  report.add_error(FindingKind::kNotFinite, 1234, "close", "NaN");
  report.add_error(FindingKind::kShortRow, 12, "", "short row: 5 fields, the header has 6");
  report.add_error(FindingKind::kEmptyFile, 0, "", "empty file: no header line");
  EXPECT_EQ(report.format(report.errors()[0]), "ADA_BTC-5m.csv:1234: column 'close': NaN");
  EXPECT_EQ(report.format(report.errors()[1]), "ADA_BTC-5m.csv:12: short row: 5 fields, the header has 6");
  EXPECT_EQ(report.format(report.errors()[2]), "ADA_BTC-5m.csv: empty file: no header line");
  EXPECT_FALSE(report.ok());
}

}  // namespace
}  // namespace tradeloop::data
