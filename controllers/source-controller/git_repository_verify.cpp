#include "git_repository_verify.hpp"

#include <weir/api/secret.hpp>
#include <weir/openpgp/openpgp.hpp>

#include <fmt/format.h>

namespace weir::source {

namespace {

const kube::gvk secret_kind{"", "v1", "Secret"};

std::string str_at(const value& obj, std::initializer_list<std::string_view> path)
{
    const value* v = obj.find_path(path);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// Every value of the Secret is read as armored OpenPGP keys, as Flux does; values that are SSH
// public keys (*.sshpub) are skipped, weir verifies OpenPGP signatures only.
result<openpgp::keyring> load_keys(kube::client& client, const std::string& ns, const std::string& name)
{
    auto fail = [](std::string message) {
        return transient_error("PGP public keys secret error: " + message, "VerificationError");
    };
    auto secret = client.get(secret_kind, ns, name);
    if (!secret) return fail(fmt::format("failed to get Secret '{}/{}': {}", ns, name, secret.err().message));
    auto data = api::secret_data(*secret);
    if (!data) return fail(fmt::format("Secret '{}/{}': {}", ns, name, data.err().message));
    openpgp::keyring keys;
    std::string problems;
    for (const auto& [key, text] : *data) {
        if (key.ends_with(".sshpub")) continue;
        auto added = keys.add(text, fmt::format("Secret '{}/{}' key '{}'", ns, name, key));
        if (!added) problems += (problems.empty() ? "" : "; ") + added.err().message;
    }
    if (keys.empty())
        return fail(fmt::format("Secret '{}/{}' holds no OpenPGP public key{}", ns, name,
                                problems.empty()
                                    ? std::string(" (add armored keys, e.g. 'gpg --armor --export <id>')")
                                    : ": " + problems));
    return keys;
}

result<std::string> check(const openpgp::keyring& keys, const git::signed_object& object,
                          std::string_view what, const std::string& label, const char* reason)
{
    auto failed = [&](std::string why) {
        return transient_error(fmt::format("signature verification of {} '{}' failed: {}", what, label, why),
                               reason);
    };
    if (object.signature.empty())
        return transient_error(
            fmt::format("cannot verify signature of {} '{}' since it is not signed", what, label),
            "InvalidGitObject");
    if (object.signature.starts_with("-----BEGIN SSH SIGNATURE-----"))
        return failed("it has an SSH signature; only OpenPGP signatures can be verified");
    auto who = openpgp::verify_detached(keys, object.signature, object.payload);
    if (!who) return failed(who.err().message);
    return who->key_id;
}

} // namespace

std::optional<git_verification> git_verification_of(const value& obj)
{
    const value* v = obj.find_path({"spec", "verify"});
    if (!v || !v->is_object()) return std::nullopt;
    git_verification out;
    std::string mode = str_at(*v, {"mode"});
    if (!mode.empty()) out.mode = mode == "head" ? "HEAD" : mode;
    out.secret_name = str_at(*v, {"secretRef", "name"});
    return out;
}

result<std::string> verify_git_revision(kube::client& client, git::mirror_cache& mirrors,
                                        const std::string& ns, const git_verification& spec,
                                        const std::string& url, const git::sync_result& synced)
{
    if (!spec.tag() && !spec.head())
        return terminal_error(
            fmt::format("spec.verify.mode '{}' is not one of HEAD, Tag, TagAndHEAD", spec.mode),
            "InvalidVerificationMode");
    if (spec.tag() && !synced.ref_name.starts_with("refs/tags/"))
        return terminal_error("cannot verify tag object's signature if a tag reference is not specified "
                              "(spec.verify.mode is " +
                                  spec.mode + ": set spec.ref.tag or spec.ref.semver, or use mode HEAD)",
                              "InvalidVerificationMode");
    WEIR_TRY_ASSIGN(auto keys, load_keys(client, ns, spec.secret_name));
    std::string message;
    if (spec.tag()) {
        std::string tag = synced.ref_name.substr(10);
        if (synced.tag_object.empty())
            return transient_error(fmt::format("cannot verify signature of tag '{}' since it is not signed "
                                               "(a lightweight tag has no signature: use 'git tag -s')",
                                               tag),
                                   "InvalidGitObject");
        WEIR_TRY_ASSIGN(auto object, mirrors.tag_signature(url, synced.tag_object));
        std::string label = tag + "@" + synced.tag_object;
        WEIR_TRY_ASSIGN(auto key, check(keys, object, "tag", label, "InvalidTagSignature"));
        message = fmt::format("verified signature of\n\t- tag '{}' with key '{}'", label, key);
    }
    if (spec.head()) {
        WEIR_TRY_ASSIGN(auto object, mirrors.commit_signature(url, synced.commit));
        WEIR_TRY_ASSIGN(auto key, check(keys, object, "commit", synced.commit, "InvalidCommitSignature"));
        message += message.empty()
                       ? fmt::format("verified signature of commit '{}' with key '{}'", synced.commit, key)
                       : fmt::format("\n\t- commit '{}' with key '{}'", synced.commit, key);
    }
    return message;
}

status apply_proxy_secret(kube::client& client, const std::string& ns, const std::string& name,
                          git::auth_options& auth)
{
    auto secret = client.get(secret_kind, ns, name);
    if (!secret)
        return transient_error(
            fmt::format("failed to get proxy Secret '{}/{}': {}", ns, name, secret.err().message),
            "AuthenticationFailed");
    WEIR_TRY_ASSIGN(auto data, api::secret_data(*secret));
    auto address = data.find("address");
    if (address == data.end() || address->second.empty())
        return terminal_error(
            fmt::format("proxy Secret '{}/{}' has no 'address' (e.g. http://proxy:3128)", ns, name),
            "AuthenticationFailed");
    auth.proxy_url = address->second;
    auth.proxy_username = data["username"];
    auth.proxy_password = data["password"];
    return ok();
}

} // namespace weir::source
