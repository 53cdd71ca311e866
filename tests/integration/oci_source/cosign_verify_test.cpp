// OCIRepository spec.verify with cosign keys: signatures made with OpenSSL in cosign's format (the
// `sha256-<hex>.sig` tag, a simple-signing payload layer, the base64 ECDSA P-256 signature in the
// layer annotation) and pushed to the real docker-registry; the real source-controller verifies them.
#include "oci_artifacts.hpp"
#include "support/local_cluster.hpp"

#include <weir/core/encoding.hpp>
#include <weir/oci/cosign.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>
using namespace weir;

namespace {

const kube::gvk oci_repository{"source.toolkit.fluxcd.io", "v1", "OCIRepository"};

std::string oci_repo(const std::string& name, const std::string& url, const std::string& tag,
                     const std::string& verify)
{
    return fmt::format(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\n"
        "metadata: {{name: {}, namespace: default}}\n"
        "spec: {{url: \"{}\", insecure: true, interval: 1h, ref: {{tag: \"{}\"}}, verify: {}}}\n",
        name, url, tag, verify);
}

std::string revision_of(const value& o)
{
    return test::string_at(o, {"status", "artifact", "revision"});
}

} // namespace

TEST_CASE(
    "an OCIRepository with cosign verify stores an artifact signed by a key of its Secret and refuses an "
    "unsigned one or one signed by another key, keeping the last verified artifact",
    "[oci][e2e][verify]")
{
    test::registry reg;
    test::local_cluster c({.apiserver = WEIR_APISERVER_BIN, .source_controller = WEIR_SOURCE_CONTROLLER_BIN});
    test::cosign_keypair trusted, stranger;
    std::string url = "oci://" + reg.host() + "/fleet/signed";
    auto v1 = test::push_artifact(reg, "fleet/signed", "latest", {{"cm.yaml", test::config_map_yaml("one")}});
    test::cosign_sign(reg, "fleet/signed", v1.manifest_digest, trusted);
    c.apply_yaml(
        fmt::format("apiVersion: v1\nkind: Secret\nmetadata: {{name: cosign-pub, namespace: default}}\n"
                    "data: {{cosign.pub: {}}}\n",
                    base64_encode(trusted.public_pem())));
    c.apply_yaml(oci_repo("app", url, "latest", "{provider: cosign, secretRef: {name: cosign-pub}}"));

    value ready = c.wait_for(oci_repository, "default", "app", test::ready_is("True"));
    std::string rev1 = "latest@" + v1.manifest_digest;
    CHECK(revision_of(ready) == rev1);
    CHECK(test::condition_status(ready, "SourceVerified") == "True");
    CHECK(test::condition_message(ready, "SourceVerified") == "verified signature of revision " + rev1);

    // A new unsigned push under the same tag: refused, the verified artifact stays.
    auto v2 = test::push_artifact(reg, "fleet/signed", "latest", {{"cm.yaml", test::config_map_yaml("two")}});
    test::request_reconcile(c, oci_repository, "app", "unsigned");
    value unsigned_ = c.wait_for(oci_repository, "default", "app", [&](const value& o) {
        return test::condition_message(o, "SourceVerified").find(v2.manifest_digest) != std::string::npos;
    });
    CHECK(test::condition_status(unsigned_, "SourceVerified") == "False");
    CHECK(test::condition_reason(unsigned_, "Ready") == "VerificationError");
    CHECK_THAT(
        test::condition_message(unsigned_, "SourceVerified"),
        Catch::StartsWith("failed to verify the signature using provider 'cosign': no signature found") &&
            Catch::Contains(oci::cosign_signature_tag(v2.manifest_digest)));
    CHECK(revision_of(unsigned_) == rev1);
    CHECK(test::condition_status(unsigned_, "FetchFailed").empty());

    // Signed, but by a key the Secret does not hold.
    test::cosign_sign(reg, "fleet/signed", v2.manifest_digest, stranger);
    test::request_reconcile(c, oci_repository, "app", "stranger");
    value untrusted = c.wait_for(oci_repository, "default", "app", [&](const value& o) {
        return test::condition_message(o, "SourceVerified").find("no matching signatures") !=
               std::string::npos;
    });
    CHECK_THAT(test::condition_message(untrusted, "SourceVerified"), Catch::Contains("cosign.pub"));
    CHECK(revision_of(untrusted) == rev1);

    // The trusted key signs it: the new revision is stored.
    test::cosign_sign(reg, "fleet/signed", v2.manifest_digest, trusted);
    test::request_reconcile(c, oci_repository, "app", "trusted");
    value updated = c.wait_for(oci_repository, "default", "app", [&](const value& o) {
        return revision_of(o) == "latest@" + v2.manifest_digest;
    });
    CHECK(test::condition_status(updated, "SourceVerified") == "True");
}

TEST_CASE(
    "an OCIRepository asking for keyless cosign or notation verification stalls with a message saying why",
    "[oci][e2e][verify]")
{
    test::registry reg;
    test::local_cluster c({.apiserver = WEIR_APISERVER_BIN, .source_controller = WEIR_SOURCE_CONTROLLER_BIN});
    std::string url = "oci://" + reg.host() + "/fleet/app";
    test::push_artifact(reg, "fleet/app", "latest", {{"cm.yaml", test::config_map_yaml("x")}});
    c.apply_yaml(oci_repo(
        "keyless", url, "latest",
        "{provider: cosign, matchOIDCIdentity: [{issuer: '^https://token.actions.githubusercontent.com$', "
        "subject: '.*'}]}"));
    c.apply_yaml(oci_repo("notation", url, "latest", "{provider: notation, secretRef: {name: trust}}"));
    auto stalled = [](const value& o) { return test::condition_status(o, "Stalled") == "True"; };
    value keyless = c.wait_for(oci_repository, "default", "keyless", stalled);
    CHECK_THAT(test::condition_message(keyless, "Ready"),
               Catch::Contains("Fulcio and Rekor") && Catch::Contains("secretRef"));
    CHECK_FALSE(keyless.find_path({"status", "artifact"}));
    value notation = c.wait_for(oci_repository, "default", "notation", stalled);
    CHECK_THAT(test::condition_message(notation, "Ready"),
               Catch::Contains("notation verification is not supported"));
}
