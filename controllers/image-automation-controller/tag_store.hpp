// The scanned tags of every ImageRepository, kept in one SQLite file under --storage-path so a
// restarted controller trusts its last scan until the interval is due instead of rescanning all
// registries at once. Reads are served from memory (a policy evaluation must not copy 10,000
// tags); writes go to the file first.
#pragma once

#include <weir/core/result.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

struct sqlite3;

namespace weir::image {

using tag_list = std::shared_ptr<const std::vector<std::string>>;

class tag_store {
public:
    static result<std::unique_ptr<tag_store>> open(const std::filesystem::path& dir);
    ~tag_store();

    // nullptr when the key was never scanned. Key: "<namespace>/<name>" of the ImageRepository.
    tag_list get(const std::string& key);
    status put(const std::string& key, std::vector<std::string> tags);
    status remove(const std::string& key);

private:
    explicit tag_store(sqlite3* db) : db_(db) {}
    sqlite3* db_;
    std::mutex mu_;
    std::map<std::string, tag_list> cache_;
};

} // namespace weir::image
