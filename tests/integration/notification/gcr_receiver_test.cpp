// The gcr Receiver against a real API server: Google Pub/Sub push requests whose OIDC ID token is
// signed (RS256, OpenSSL) by a key the test serves as a JWKS on loopback, standing in for Google's
// certs endpoint. A valid token annotates; a forged, expired, misaddressed or unsigned one gets 401
// and changes nothing; keys that cannot be fetched give 503.
#include "http_client.hpp"
#include "http_server.hpp"
#include "receiver_server.hpp"
#include "receiver_verify.hpp"
#include "support/local_cluster.hpp"

#include <weir/core/encoding.hpp>
#include <weir/core/yaml.hpp>
#include <weir/runtime/conditions.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <atomic>
#include <chrono>

using namespace weir;
using namespace weir::notification;

namespace {

const std::string token = "gcr-t0ken";
const std::string email = "pubsub-push@my-project.iam.gserviceaccount.com";
const std::string audience = "https://hooks.example.com/gcr";

std::string b64url(std::string_view bytes)
{
    std::string s = base64_encode(bytes);
    while (!s.empty() && s.back() == '=')
        s.pop_back();
    for (char& c : s)
        c = c == '+' ? '-' : c == '/' ? '_' : c;
    return s;
}

struct rsa_key {
    EVP_PKEY* key = EVP_RSA_gen(2048);
    ~rsa_key() { EVP_PKEY_free(key); }

    std::string jwk(const std::string& kid) const
    {
        auto param = [&](const char* name) {
            BIGNUM* bn = nullptr;
            EVP_PKEY_get_bn_param(key, name, &bn);
            std::string out(static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
            BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
            BN_free(bn);
            return b64url(out);
        };
        return fmt::format(R"({{"kty":"RSA","alg":"RS256","use":"sig","kid":"{}","n":"{}","e":"{}"}})", kid,
                           param(OSSL_PKEY_PARAM_RSA_N), param(OSSL_PKEY_PARAM_RSA_E));
    }

    std::string sign(std::string_view data) const
    {
        EVP_MD_CTX* md = EVP_MD_CTX_new();
        std::size_t len = 0;
        EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr, key);
        EVP_DigestSign(md, nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()), data.size());
        std::string sig(len, '\0');
        EVP_DigestSign(md, reinterpret_cast<unsigned char*>(sig.data()), &len,
                       reinterpret_cast<const unsigned char*>(data.data()), data.size());
        EVP_MD_CTX_free(md);
        sig.resize(len);
        return sig;
    }
};

struct claims {
    std::string iss = "https://accounts.google.com";
    std::string aud = audience;
    std::string mail = email;
    std::chrono::seconds expires_in{3600};
};

std::string id_token(const rsa_key& key, const std::string& kid, const claims& c,
                     const std::string& alg = "RS256")
{
    auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
    std::string header = b64url(fmt::format(R"({{"alg":"{}","kid":"{}","typ":"JWT"}})", alg, kid));
    std::string payload = b64url(fmt::format(
        R"({{"aud":"{}","azp":"1234","email":"{}","email_verified":true,"exp":{},"iat":{},"iss":"{}","sub":"1234"}})",
        c.aud, c.mail, (now + c.expires_in).count(), now.count(), c.iss));
    std::string signed_part = header + "." + payload;
    return signed_part + "." + b64url(alg == "none" ? std::string() : key.sign(signed_part));
}

// A Pub/Sub push of a Container Registry notification.
const std::string push_body = fmt::format(
    R"({{"message":{{"attributes":{{}},"data":"{}","messageId":"136969346945","publishTime":"2026-11-22T06:00:00.000Z"}},"subscription":"projects/my-project/subscriptions/flux"}})",
    base64_encode(
        R"({"action":"INSERT","digest":"gcr.io/my-project/app@sha256:6ec128e26cd5","tag":"gcr.io/my-project/app:1.2.3"})"));

struct fixture {
    test::local_cluster cluster{{.apiserver = WEIR_APISERVER_BIN}};
    rsa_key google, forger;
    std::atomic<int> jwks_requests{0};
    http_server jwks{
        {.listen = "127.0.0.1:0"}, [this](const server_request& r) {
            ++jwks_requests;
            if (r.target != "/oauth2/v3/certs") return server_response{404, "not found"};
            return server_response{200, R"({"keys":[)" + google.jwk("key-1") + "]}", "application/json"};
        }};
    runtime::object_store store;
    std::unique_ptr<secret_cache> secrets;
    std::unique_ptr<receiver_server> server;

    explicit fixture(bool keys_reachable = true)
    {
        REQUIRE(jwks.start());
        cluster.apply_yaml(
            fmt::format("apiVersion: v1\nkind: Secret\nmetadata: {{name: gcr-token, namespace: default}}\n"
                        "data: {{token: {}, email: {}, audience: {}}}\n---\n"
                        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\n"
                        "metadata: {{name: app, namespace: default}}\n"
                        "spec: {{url: 'oci://gcr.io/my-project/app', interval: 1h}}\n",
                        base64_encode(token), base64_encode(email), base64_encode(audience)));
        add_webhook_index(store);
        auto v = parse_yaml("apiVersion: notification.toolkit.fluxcd.io/v1\nkind: Receiver\n"
                            "metadata: {name: gcr, namespace: default, generation: 1}\n"
                            "spec:\n  type: gcr\n  secretRef: {name: gcr-token}\n"
                            "  resources: [{kind: OCIRepository, name: app}]\n");
        REQUIRE(v);
        (*v)["status"]["webhookPath"] = webhook_path(token, "gcr", "default");
        runtime::conditions::mark_ready(*v, "Succeeded", "ready");
        store.upsert(std::make_shared<const value>(*v));
        secrets = std::make_unique<secret_cache>(cluster.client());
        std::string keys_url = keys_reachable
                                   ? fmt::format("http://127.0.0.1:{}/oauth2/v3/certs", jwks.port())
                                   : std::string("http://127.0.0.1:1/oauth2/v3/certs"); // nothing listens
        server = std::make_unique<receiver_server>(
            receiver_server_options{.listen = "127.0.0.1:0", .gcr_jwks_url = keys_url}, cluster.client(),
            store, *secrets);
        REQUIRE(server->start());
    }

    int post(const std::string& bearer, const std::string& body = push_body)
    {
        std::vector<std::pair<std::string, std::string>> h{{"Content-Type", "application/json"}};
        if (!bearer.empty()) h.emplace_back("Authorization", "Bearer " + bearer);
        auto r = send_request({.method = "POST",
                               .url = fmt::format("http://127.0.0.1:{}{}", server->port(),
                                                  webhook_path(token, "gcr", "default")),
                               .headers = h,
                               .body = body},
                              {});
        return r ? r->status : r.err().code;
    }

    std::string requested_at()
    {
        auto obj =
            cluster.client().get({"source.toolkit.fluxcd.io", "v1", "OCIRepository"}, "default", "app");
        REQUIRE(obj);
        return test::string_at(*obj, {"metadata", "annotations", "reconcile.fluxcd.io/requestedAt"});
    }
};

} // namespace

TEST_CASE("gcr receiver: a Pub/Sub push with a Google-signed ID token for the receiver's audience and email "
          "annotates",
          "[notification][receiver]")
{
    fixture f;
    REQUIRE(f.requested_at().empty());
    CHECK(f.post(id_token(f.google, "key-1", {})) == 200);
    CHECK(f.requested_at().ends_with(" +0000 UTC"));
    // The keys are cached: a second push does not fetch them again.
    int fetched = f.jwks_requests;
    CHECK(f.post(id_token(f.google, "key-1", {.iss = "accounts.google.com"})) == 200);
    CHECK(f.jwks_requests == fetched);
}

TEST_CASE(
    "gcr receiver: forged, expired, misaddressed, unsigned or missing tokens get 401 and change nothing",
    "[notification][receiver]")
{
    fixture f;
    CHECK(f.post(id_token(f.forger, "key-1", {})) == 401); // not Google's key
    CHECK(f.post(id_token(f.google, "key-1", {.expires_in = std::chrono::seconds(-60)})) == 401); // expired
    CHECK(f.post(id_token(f.google, "key-1", {.aud = "https://elsewhere.example.com"})) == 401);
    CHECK(f.post(id_token(f.google, "key-1", {.mail = "attacker@evil.iam.gserviceaccount.com"})) == 401);
    CHECK(f.post(id_token(f.google, "key-1", {.iss = "https://evil.example.com"})) == 401);
    CHECK(f.post(id_token(f.google, "key-1", {}, "none")) == 401);
    CHECK(f.post(id_token(f.google, "key-unknown", {})) == 401);
    CHECK(f.post("not.a.jwt") == 401);
    CHECK(f.post("") == 401);
    // A valid token with a body altered into something else than a Pub/Sub push is malformed.
    CHECK(f.post(id_token(f.google, "key-1", {}), R"({"message":{}})") == 400);
    CHECK(f.requested_at().empty());
}

TEST_CASE(
    "gcr receiver: when the signing keys cannot be fetched the answer is 503, not a verdict on the sender",
    "[notification][receiver]")
{
    fixture f(false);
    CHECK(f.post(id_token(f.google, "key-1", {})) == 503);
    CHECK(f.requested_at().empty());
}
