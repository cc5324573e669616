// Test helpers of the data module: temp files and the locations of real data.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace tradeloop::data::testing {

inline std::string samples_dir() {
  return std::string(TL_SOURCE_DIR) + "/data/samples";
}

// The shared real-data directory (../shared/data from the repository root), or "" when absent.
inline std::string shared_dir() {
  for (const char* candidate : {"/work/shared/data"}) {
    if (std::filesystem::exists(candidate)) return candidate;
  }
  const auto sibling = std::filesystem::path(TL_SOURCE_DIR).parent_path() / "shared" / "data";
  if (std::filesystem::exists(sibling)) return sibling.string();
  return "";
}

// A fresh directory under the system temp dir, removed with the object.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "tl_data_test_XXXXXX").string();
    char* made = ::mkdtemp(tmpl.data());
    EXPECT_NE(made, nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(std::string_view name) const { return path_ + "/" + std::string(name); }

  // Writes `content` byte for byte and returns the path.
  std::string write(std::string_view name, std::string_view content) const {
    const std::string p = file(name);
    std::ofstream out(p, std::ios::binary);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    return p;
  }

 private:
  std::string path_;
};

}  // namespace tradeloop::data::testing
