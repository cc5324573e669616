#include "tradeloop/core/config.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace tradeloop {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  std::string write(const std::string& text) {
    path_ = (std::filesystem::temp_directory_path() / ("tl_config_" + std::to_string(::getpid()) + ".json")).string();
    std::ofstream(path_) << text;
    return path_;
  }
  void TearDown() override {
    if (!path_.empty()) std::remove(path_.c_str());
  }
  std::string path_;
};

TEST_F(ConfigTest, FlagsBeatEnvironmentBeatFileBeatDefaults) {
  Config c;
  c.set("cash", "1", ConfigSource::kDefault);
  c.set("commission", "0", ConfigSource::kDefault);
  c.set("db", "default.db", ConfigSource::kDefault);
  ASSERT_TRUE(c.load_file(write(R"({"cash": 2, "commission": 0.001, "backtest": {"fill": "close"}})")).ok());
  c.load_environment({"TRADELOOP_CASH=3", "TRADELOOP_BACKTEST__FILL=next_open", "OTHER=1"});
  c.set("cash", "4", ConfigSource::kFlag, "--cash");
  // A lower layer applied later does not override a higher one.
  c.set("cash", "5", ConfigSource::kFile);
  EXPECT_EQ(*c.get_double("cash"), 4);
  EXPECT_EQ(*c.get_double("commission"), 0.001);
  EXPECT_EQ(*c.get_string("backtest.fill"), "next_open");
  EXPECT_EQ(*c.get_string("db"), "default.db");
  EXPECT_EQ(c.find("backtest.fill")->source, ConfigSource::kEnvironment);
  EXPECT_EQ(Config::environment_name("backtest.fill"), "TRADELOOP_BACKTEST__FILL");
}

TEST_F(ConfigTest, BadValuesNameKeyValueAndOrigin) {
  Config c;
  c.load_environment({"TRADELOOP_CASH=lots"});
  auto r = c.get_double("cash");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "config 'cash' = 'lots' (from environment TRADELOOP_CASH): expected a number");
  EXPECT_EQ(c.get_int("missing").error().code(), ErrorCode::kNotFound);
}

TEST_F(ConfigTest, MalformedFileChangesNothing) {
  Config c;
  c.set("cash", "1", ConfigSource::kDefault);
  auto r = c.load_file(write("{\"cash\": "));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("not valid JSON"), std::string::npos);
  EXPECT_EQ(*c.get_double("cash"), 1);
  EXPECT_EQ(c.load_file("/nonexistent/x.json").error().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace tradeloop
