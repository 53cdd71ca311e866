// SOPS decryption in the loop: encrypted Secrets and secretGenerator sources, with the real sops
// files of Flux's test data and its public age key.
#include "loop_support.hpp"

using namespace weir;
using namespace weir::test::loop;

TEST_CASE("loop: SOPS-encrypted Secrets are decrypted with the age key of spec.decryption", "[e2e][loop]")
{
    test::local_cluster c(binaries());
    // A Secret encrypted by the real sops 3.9 for Flux's public test key.
    auto repo = c.make_repo("fleet", {{"deploy/secret.yaml", fixture("age.yaml")}});
    c.apply_yaml(age_key_secret());
    c.apply_yaml(sync_manifests(
        "file://" + repo.string(),
        "  targetNamespace: default\n  decryption: {provider: sops, secretRef: {name: sops-age}}"));
    c.wait_for(test::kustomization_kind, "default", "apps", applied(c.head(repo)));
    auto secret = c.client().get({"", "v1", "Secret"}, "default", "age");
    REQUIRE(secret);
    std::string stored = test::string_at(*secret, {"data", "key"});
    if (stored.empty()) stored = test::string_at(*secret, {"stringData", "key"});
    CHECK((stored == "dmFsdWU=" || stored == "value")); // base64 of "value", or as written
    CHECK_FALSE(secret->find("sops"));
}

TEST_CASE("loop: an encrypted Secret without spec.decryption is refused, not applied", "[e2e][loop]")
{
    test::local_cluster c(binaries());
    auto repo = c.make_repo("fleet", {{"deploy/secret.yaml", fixture("age.yaml")}});
    c.apply_yaml(sync_manifests("file://" + repo.string(), "  targetNamespace: default"));
    value ks = c.wait_for(test::kustomization_kind, "default", "apps", [](const value& o) {
        return test::condition_reason(o, "Ready") == "DecryptionFailed";
    });
    CHECK(test::condition_status(ks, "Ready") == "False");
    CHECK(test::condition_message(ks, "Ready").find("configure spec.decryption") != std::string::npos);
    CHECK_FALSE(c.client().get({"", "v1", "Secret"}, "default", "age"));
}

TEST_CASE("loop: SOPS-encrypted secretGenerator sources are decrypted in memory, never on disk",
          "[e2e][loop]")
{
    test::local_cluster c(binaries());
    std::string kustomization = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                                "secretGenerator:\n- name: from-env\n  envs: [env.env]\n"
                                "- name: from-file\n  files: [file.txt]\n"
                                "generatorOptions: {disableNameSuffixHash: true}\n";
    auto repo = c.make_repo("fleet", {{"deploy/kustomization.yaml", kustomization},
                                      {"deploy/env.env", fixture("env.env")},
                                      {"deploy/file.txt", fixture("file.txt")}});
    c.apply_yaml(age_key_secret());
    c.apply_yaml(sync_manifests(
        "file://" + repo.string(),
        "  targetNamespace: default\n  decryption: {provider: sops, secretRef: {name: sops-age}}"));
    c.wait_for(test::kustomization_kind, "default", "apps", applied(c.head(repo)));
    auto from_env = c.client().get({"", "v1", "Secret"}, "default", "from-env");
    REQUIRE(from_env);
    CHECK(test::string_at(*from_env, {"data", "key"}) == "dmFsdWU="); // "value"
    CHECK_FALSE(from_env->find_path({"data", "sops_mac"}));
    auto from_file = c.client().get({"", "v1", "Secret"}, "default", "from-file");
    REQUIRE(from_file);
    std::string file = test::string_at(*from_file, {"data", "file.txt"});
    CHECK_FALSE(file.empty());
    CHECK(file.find("ENC[") == std::string::npos);
    // The scratch directory holds what was fetched, never a decrypted copy.
    std::string found;
    test::run_command("grep -rl '^key=value' " + c.dir().string() + " 2>/dev/null", &found);
    CHECK(found.empty());
}

TEST_CASE("loop: an encrypted secretGenerator source without spec.decryption is refused", "[e2e][loop]")
{
    test::local_cluster c(binaries());
    std::string kustomization = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                                "secretGenerator:\n- name: from-env\n  envs: [env.env]\n";
    auto repo = c.make_repo(
        "fleet", {{"deploy/kustomization.yaml", kustomization}, {"deploy/env.env", fixture("env.env")}});
    c.apply_yaml(sync_manifests("file://" + repo.string(), "  targetNamespace: default"));
    value ks = c.wait_for(test::kustomization_kind, "default", "apps", [](const value& o) {
        return test::condition_message(o, "Ready").find("is SOPS-encrypted") != std::string::npos;
    });
    CHECK(test::condition_status(ks, "Ready") == "False");
    CHECK(
        test::condition_message(ks, "Ready").find("'env.env' is SOPS-encrypted: configure spec.decryption") !=
        std::string::npos);
    CHECK_FALSE(c.client().get({"", "v1", "Secret"}, "default", "from-env"));
}
