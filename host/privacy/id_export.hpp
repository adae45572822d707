// How ids leave kseg: as read, or as keyed pseudonyms; and where warnings about them (duplicates) go.
#pragma once

#include <iosfwd>
#include <string>

namespace kseg {

struct IdExport {
  bool hash_ids = false;             // --hash-ids: replace every exported id by a keyed pseudonym; default off
  std::string hash_key_file;         // --hash-key-file: file holding the key (else KSEG_HASH_KEY); default none
  std::string hash_key;              // the key bytes, resolved from the file or the environment; never from argv
  std::ostream* warnings = nullptr;  // duplicate / non-UTF-8 id warnings at commit; nullptr: not reported
};

}  // namespace kseg
