// Keyed pseudonyms for user ids: hex HMAC-SHA-256(key, id bytes), so segment files can leave the team without raw
// ids while the same key still maps the same user to the same pseudonym across runs and files.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "host/io/text_encoding.hpp"  // utf8_valid, for the id warnings

namespace kseg {

constexpr size_t kHashKeyMinBytes = 16;  // shorter keys are refused: the ids themselves are easy to enumerate

class IdPseudonymizer {
 public:
  // key: at least kHashKeyMinBytes bytes (UsageError otherwise).
  explicit IdPseudonymizer(std::string_view key);
  ~IdPseudonymizer();
  IdPseudonymizer(const IdPseudonymizer&) = delete;
  IdPseudonymizer& operator=(const IdPseudonymizer&) = delete;

  // Appends the 64 lowercase hex digits of HMAC-SHA-256(key, id) to out.
  void hex_append(std::string_view id, std::string& out);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The key for --hash-ids: the bytes of key_file (one trailing newline removed) when given, else env_value
// (KSEG_HASH_KEY; nullptr when unset). UsageError when neither is given, the file cannot be read, or the key is
// shorter than kHashKeyMinBytes.
std::string hash_key_resolve(const std::string& key_file, const char* env_value);

}  // namespace kseg
