#include "host/privacy/id_pseudonym.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <fstream>
#include <iterator>

#include "host/error.hpp"
#include "host/io/input_file.hpp"

namespace kseg {

// HMAC (RFC 2104) over SHA-256 with the padded-key states absorbed once: each id costs two short digests.
struct IdPseudonymizer::State {
  EVP_MD_CTX* inner = EVP_MD_CTX_new();  // SHA-256 after (key ^ ipad)
  EVP_MD_CTX* outer = EVP_MD_CTX_new();  // SHA-256 after (key ^ opad)
  EVP_MD_CTX* work = EVP_MD_CTX_new();
  ~State() {
    EVP_MD_CTX_free(inner);
    EVP_MD_CTX_free(outer);
    EVP_MD_CTX_free(work);
  }
};

namespace {

constexpr size_t kBlock = 64;  // SHA-256 block size in bytes

void openssl_check(int ok, const char* what) {
  if (ok != 1) throw DataError(std::string("OpenSSL failed in ") + what);
}

}  // namespace

IdPseudonymizer::IdPseudonymizer(std::string_view key) : state_(std::make_unique<State>()) {
  KSEG_EXPECTS(key.size() >= kHashKeyMinBytes, UsageError,
               "--hash-ids: the key has " + std::to_string(key.size()) + " bytes; use at least " +
                   std::to_string(kHashKeyMinBytes) + " (e.g. openssl rand -hex 32 > key)");
  KSEG_EXPECTS(state_->inner && state_->outer && state_->work, DataError, "OpenSSL: out of memory");
  std::array<unsigned char, kBlock> block{};
  if (key.size() > kBlock) {
    unsigned int n = 0;
    openssl_check(EVP_Digest(key.data(), key.size(), block.data(), &n, EVP_sha256(), nullptr), "EVP_Digest");
  } else {
    std::copy(key.begin(), key.end(), block.begin());
  }
  std::array<unsigned char, kBlock> pad{};
  for (size_t i = 0; i < kBlock; ++i) pad[i] = block[i] ^ 0x36;
  openssl_check(EVP_DigestInit_ex(state_->inner, EVP_sha256(), nullptr), "EVP_DigestInit_ex");
  openssl_check(EVP_DigestUpdate(state_->inner, pad.data(), kBlock), "EVP_DigestUpdate");
  for (size_t i = 0; i < kBlock; ++i) pad[i] = block[i] ^ 0x5c;
  openssl_check(EVP_DigestInit_ex(state_->outer, EVP_sha256(), nullptr), "EVP_DigestInit_ex");
  openssl_check(EVP_DigestUpdate(state_->outer, pad.data(), kBlock), "EVP_DigestUpdate");
}

IdPseudonymizer::~IdPseudonymizer() = default;

void IdPseudonymizer::hex_append(std::string_view id, std::string& out) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  openssl_check(EVP_MD_CTX_copy_ex(state_->work, state_->inner), "EVP_MD_CTX_copy_ex");
  openssl_check(EVP_DigestUpdate(state_->work, id.data(), id.size()), "EVP_DigestUpdate");
  openssl_check(EVP_DigestFinal_ex(state_->work, digest, &n), "EVP_DigestFinal_ex");
  openssl_check(EVP_MD_CTX_copy_ex(state_->work, state_->outer), "EVP_MD_CTX_copy_ex");
  openssl_check(EVP_DigestUpdate(state_->work, digest, n), "EVP_DigestUpdate");
  openssl_check(EVP_DigestFinal_ex(state_->work, digest, &n), "EVP_DigestFinal_ex");
  static const char hex[] = "0123456789abcdef";
  for (unsigned int i = 0; i < n; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
}

std::string hash_key_resolve(const std::string& key_file, const char* env_value) {
  std::string key;
  if (!key_file.empty()) {
    try {
      key = input_file_read(key_file, "", kKeyFileMaxBytes);
    } catch (const DataError& e) {  // a usage error like every other problem with the key
      const std::string why = e.what();
      throw UsageError("--hash-key-file " + key_file +
                       ": cannot read the key file: " + why.substr(why.rfind(": ") + 2));
    }
    if (!key.empty() && key.back() == '\n') key.pop_back();
    if (!key.empty() && key.back() == '\r') key.pop_back();
  } else {
    KSEG_EXPECTS(env_value != nullptr && *env_value != '\0', UsageError,
                 "--hash-ids needs a key: --hash-key-file FILE or the environment variable KSEG_HASH_KEY "
                 "(the key is never accepted on the command line)");
    key = env_value;
  }
  KSEG_EXPECTS(key.size() >= kHashKeyMinBytes, UsageError,
               "--hash-ids: the key has " + std::to_string(key.size()) + " bytes; use at least " +
                   std::to_string(kHashKeyMinBytes) + " (e.g. openssl rand -hex 32 > key)");
  return key;
}

}  // namespace kseg
