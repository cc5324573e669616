#include "tradeloop/model/instrument.h"

#include <gtest/gtest.h>

namespace tradeloop::model {
namespace {

TEST(Instrument, RoundsToTickAndLot) {
  Instrument i;
  i.symbol = "X";
  i.tick_size = 0.05;
  i.lot_size = 0.1;
  EXPECT_NEAR(i.round_price(10.07), 10.05, 1e-12);
  EXPECT_NEAR(i.round_price(10.08), 10.10, 1e-12);
  EXPECT_NEAR(i.round_quantity_down(0.3), 0.3, 1e-12);
  EXPECT_NEAR(i.round_quantity_down(0.39), 0.3, 1e-12);
  EXPECT_NEAR(i.round_quantity_down(-0.39), -0.3, 1e-12);
  i.lot_size = 1;
  EXPECT_EQ(i.round_quantity_down(7.9999), 7);
}

TEST(Instrument, ValidateNamesTheBadField) {
  Instrument i;
  i.symbol = "GOOG";
  EXPECT_TRUE(i.validate().ok());
  i.multiplier = 0;
  ASSERT_FALSE(i.validate().ok());
  EXPECT_EQ(i.validate().error().message(), "instrument GOOG: 'multiplier' is 0 (must be > 0)");
}

TEST(Instrument, GuessesAssetClassFromSymbol) {
  EXPECT_EQ(Instrument::guess("GOOG").asset_class, AssetClass::kEquity);
  EXPECT_EQ(Instrument::guess("GOOG").lot_size, 1.0);
  auto eth = Instrument::guess("ETH_BTC");
  EXPECT_EQ(eth.asset_class, AssetClass::kCrypto);
  EXPECT_EQ(eth.quote_currency, "BTC");
  EXPECT_TRUE(eth.allows_fractional_quantity());
  EXPECT_EQ(Instrument::guess("EURUSD").asset_class, AssetClass::kFx);
  EXPECT_EQ(Instrument::guess("BTCUSDT").quote_currency, "USDT");
  EXPECT_EQ(*parse_asset_class("crypto"), AssetClass::kCrypto);
  EXPECT_FALSE(parse_asset_class("bond").ok());
}

}  // namespace
}  // namespace tradeloop::model
