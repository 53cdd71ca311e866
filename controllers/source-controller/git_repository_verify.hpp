// GitRepository spec.verify: the OpenPGP signatures of the fetched commit (mode HEAD), of the
// annotated tag it came through (Tag), or both (TagAndHEAD), checked against the armored public
// keys of a Secret, before any artifact is built from the revision.
#pragma once

#include <weir/core/result.hpp>
#include <weir/core/value.hpp>
#include <weir/git/mirror.hpp>
#include <weir/kube/client.hpp>

#include <optional>
#include <string>

namespace weir::source {

struct git_verification {
    std::string mode = "HEAD"; // HEAD | Tag | TagAndHEAD ("head" is read as HEAD)
    std::string secret_name;
    bool tag() const { return mode == "Tag" || mode == "TagAndHEAD"; }
    bool head() const { return mode == "HEAD" || mode == "TagAndHEAD"; }
};

// spec.verify of a GitRepository, or nothing when verification is off.
std::optional<git_verification> git_verification_of(const value& obj);

// Verifies `synced` (just fetched into `mirrors` from `url`) as `spec` asks. On success, the
// SourceVerified message ("verified signature of commit '<sha>' with key '<ID>'"). Errors carry
// Flux's reasons: VerificationError (the Secret or its keys), InvalidVerificationMode (terminal: a
// tag mode without a tag reference), InvalidGitObject (the tag or commit is not signed),
// InvalidTagSignature / InvalidCommitSignature (the signature does not verify with any key).
result<std::string> verify_git_revision(kube::client& client, git::mirror_cache& mirrors,
                                        const std::string& ns, const git_verification& spec,
                                        const std::string& url, const git::sync_result& synced);

// spec.proxySecretRef: "address" (required), "username", "password" of the Secret into `auth`.
status apply_proxy_secret(kube::client& client, const std::string& ns, const std::string& name,
                          git::auth_options& auth);

} // namespace weir::source
