// Extracted artifacts shared by every reconcile that needs the same digest. A thousand
// Kustomizations built from one monorepo revision download and extract it once; each reconcile
// then gets its own working tree made of hard links into the cached extraction (a link per file,
// no data copied), which it may add files to and replace files in.
//
//   artifact::extracted_cache cache(scratch / "artifacts");
//   WEIR_TRY(cache.checkout(art.url, art.digest, work / "source"));
//
// The rule that makes sharing safe: an acquired tree is only read, and a working tree's files are
// replaced (write a new file, rename it over), never written in place, since a hard link shares
// its bytes with the cache. A digest is evicted only when no lease holds it; trees linked from it
// survive eviction, their links keep the files alive.
// Thread-safe; concurrent checkouts of a new digest may both download it, one extraction wins.
#pragma once

#include <weir/artifact/fetcher.hpp>
#include <weir/core/result.hpp>

#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace weir::artifact {

class extracted_cache {
public:
    // `root` is this cache's own directory: emptied now and removed by the destructor.
    explicit extracted_cache(std::filesystem::path root, std::size_t max_digests = 16);
    ~extracted_cache();
    extracted_cache(const extracted_cache&) = delete;
    extracted_cache& operator=(const extracted_cache&) = delete;

    // The extracted tree of a digest, kept while the lease lives: read it, never write to it.
    using lease = std::shared_ptr<const std::filesystem::path>;
    // The artifact at `url` whose tar.gz has `digest`, downloaded, verified and extracted on the
    // first use of the digest.
    result<lease> acquire(const std::string& url, const std::string& digest,
                          const fetch_options& options = {});
    // Makes `target` (which must not exist) a working tree of hard links into the extraction.
    status checkout(const std::string& url, const std::string& digest, const std::filesystem::path& target,
                    const fetch_options& options = {});

    std::size_t size() const;

private:
    struct entry {
        std::string key;
        std::weak_ptr<const std::filesystem::path> in_use;
    };
    lease lease_locked(const std::string& key, std::vector<std::filesystem::path>& trash);

    std::filesystem::path root_;
    std::size_t max_digests_;
    mutable std::mutex mutex_;
    std::list<entry> recent_; // most recently used first
};

// Recreates the directory tree `from` at `to` with hard links for files (symlinks copied as links).
status link_tree(const std::filesystem::path& from, const std::filesystem::path& to);

} // namespace weir::artifact
